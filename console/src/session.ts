import type { AlertRelayClient, WhoAmI } from '@alert-relay/client';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { createClient, unwrap } from './api';

// sessionStorage: the key lives as long as this tab, and no other tab or later visit sees it.
const KEY_ITEM = 'alert-relay.apiKey';
const OPERATOR_ITEM = 'alert-relay.operator';

export const storedKey = (): string | null => sessionStorage.getItem(KEY_ITEM);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY_ITEM, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY_ITEM);

/** Who the operator said they are on their last action in this tab (the `by` of acknowledgements). */
export const storedOperator = (): string => sessionStorage.getItem(OPERATOR_ITEM) ?? '';
export const storeOperator = (name: string): void => sessionStorage.setItem(OPERATOR_ITEM, name);

/** What the console works with once signed in with a key. */
export interface Connection {
  /** Each call waits for `feedStart` to settle first. */
  client: AlertRelayClient;
  /** The change feed's cursor when the console started (`after=now`): live.tsx follows it from there. */
  feedStart: Promise<string>;
}

// How long the reads wait at most for the feed's start (a hung call must not keep the lists empty).
const FEED_START_WAIT_MS = 5000;

/**
 * Asks where the change feed ends now, first; every call of the returned client waits for that answer.
 * So whatever a list shows was read after the feed's start, and every change since comes through the
 * feed (live.tsx): nothing between the two is missed, and no list is read twice to make sure. The feed's
 * start is one cheap call; if it fails, the reads still go out and the console says it is not live.
 */
export function connect(key: string): Connection {
  const feedStart = createClient(key)
    .GET('/api/v1/events', { params: { query: { after: 'now' } } })
    .then((answer) => unwrap(answer).nextCursor);
  // Settled either way: handled at once, so a failure is never reported as unhandled before live.tsx sees it.
  // One that hangs holds them back for FEED_START_WAIT_MS at most ("Connecting…" stays up meanwhile).
  const settled = Promise.race([
    feedStart.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => setTimeout(resolve, FEED_START_WAIT_MS)),
  ]);
  return { client: createClient(key, settled), feedStart };
}

export interface Session extends Connection {
  /** Null while the key kept in this tab is being checked again (its whoami is in flight). */
  identity: WhoAmI | null;
  /** Whether the key has the `write` scope: only then are actions offered (not before whoami says so). */
  canWrite: boolean;
  signOut: (notice?: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}
