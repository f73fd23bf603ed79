import { render } from 'preact';
import { App, resume } from './app';
import { storedKey } from './session';

// A key kept in this tab: its first calls go out now, before the first render.
const key = storedKey();
render(<App resumed={key === null ? null : resume(key)} />, document.getElementById('app')!);
