import type { AlertRelayClient, WhoAmI } from '@alert-relay/client';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

// sessionStorage: the key lives as long as this tab, and no other tab or later visit sees it.
const KEY_ITEM = 'alert-relay.apiKey';
const OPERATOR_ITEM = 'alert-relay.operator';

export const storedKey = (): string | null => sessionStorage.getItem(KEY_ITEM);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY_ITEM, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY_ITEM);

/** Who the operator said they are on their last action in this tab (the `by` of acknowledgements). */
export const storedOperator = (): string => sessionStorage.getItem(OPERATOR_ITEM) ?? '';
export const storeOperator = (name: string): void => sessionStorage.setItem(OPERATOR_ITEM, name);

export interface Session {
  client: AlertRelayClient;
  identity: WhoAmI;
  /** Whether the key has the `write` scope: only then are actions offered. */
  canWrite: boolean;
  signOut: (notice?: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}
