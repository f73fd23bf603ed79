import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseHref, CONSOLE_CSP, withBase } from './console-assets';

describe('console assets', () => {
  it('points <base> at the console root from any depth, relatively', () => {
    assert.equal(baseHref('/'), './');
    assert.equal(baseHref('/deliveries'), './');
    assert.equal(baseHref('/notifications/1f0c'), '../');
    assert.equal(baseHref('/notifications/1f0c/'), '../../');
    // Resolved the way a browser does, from a page behind a proxy prefix.
    const page = 'https://ops.example.com/relay/console/notifications/1f0c';
    assert.equal(new URL(baseHref('/notifications/1f0c'), page).pathname, '/relay/console/');
  });

  it('puts <base> first in <head>', () => {
    const html = '<html><head><script src="./assets/a.js"></script></head></html>';
    assert.equal(
      withBase(html, '../'),
      '<html><head><base href="../"><script src="./assets/a.js"></script></head></html>',
    );
    assert.throws(() => withBase('<p>no head</p>', './'));
  });

  it('allows no inline script or style and no framing', () => {
    assert.match(CONSOLE_CSP, /default-src 'self'/);
    assert.match(CONSOLE_CSP, /frame-ancestors 'none'/);
    assert.doesNotMatch(CONSOLE_CSP, /unsafe-inline|unsafe-eval|\*/);
  });
});
