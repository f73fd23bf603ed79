import { AlertRelayError, type AlertRelayClient, type WhoAmI } from '@alert-relay/client';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/preact-query';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Router } from 'wouter-preact';
import { createClient, describeError, isStatus, routerBase, whoAmI } from './api';
import { LoginPage } from './pages/login';
import { forgetKey, type Session, SessionContext, storedKey, storeKey } from './session';
import { Shell } from './shell';

interface SignedIn {
  client: AlertRelayClient;
  identity: WhoAmI;
}

export function App() {
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // A key kept from earlier in this tab is checked again before anything is shown with it.
  const [resuming, setResuming] = useState(() => storedKey() !== null);

  const signIn = async (key: string): Promise<void> => {
    const client = createClient(key);
    const identity = await whoAmI(client);
    storeKey(key);
    setNotice(null);
    setSignedIn({ client, identity });
  };
  const signOut = (message?: string) => {
    forgetKey();
    setNotice(message ?? null);
    setSignedIn(null);
  };

  useEffect(() => {
    const key = storedKey();
    if (key === null) return;
    signIn(key)
      .catch((error: unknown) => signOut(`Signed out: ${describeError(error)}`))
      .finally(() => setResuming(false));
  }, []);

  if (resuming) return <p class="loading">Loading…</p>;
  if (!signedIn) return <LoginPage onSignIn={signIn} notice={notice} />;
  return <SignedInConsole signedIn={signedIn} signOut={signOut} />;
}

function SignedInConsole({ signedIn, signOut }: { signedIn: SignedIn; signOut: (notice?: string) => void }) {
  const session: Session = useMemo(
    () => ({
      ...signedIn,
      canWrite: signedIn.identity.scopes.includes('write'),
      signOut,
    }),
    [signedIn],
  );
  // One cache per sign-in: nothing read with one key is shown after signing in with another.
  const queryClient = useMemo(() => {
    // A key removed from the config while the console is open: back to the login page, saying why.
    const onError = (error: unknown) => {
      if (isStatus(error, 401)) signOut(`Signed out: ${describeError(error)}`);
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: {
        // A 4xx will not go away by asking again; network errors and 5xx get two more tries.
        queries: { retry: (count, error) => count < 2 && !(error instanceof AlertRelayError && error.status < 500) },
      },
    });
  }, [signedIn]);
  return (
    <SessionContext.Provider value={session}>
      <QueryClientProvider client={queryClient}>
        <Router base={routerBase}>
          <Shell />
        </Router>
      </QueryClientProvider>
    </SessionContext.Provider>
  );
}
