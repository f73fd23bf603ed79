import { AlertRelayError, type AlertRelayClient, type WhoAmI } from '@alert-relay/client';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/preact-query';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Router } from 'wouter-preact';
import { createClient, describeError, isStatus, routerBase, whoAmI } from './api';
import { LoginPage } from './pages/login';
import { connect, type Connection, forgetKey, type Session, SessionContext, storeKey } from './session';
import { Shell } from './shell';

interface SignedIn extends Connection {
  identity: WhoAmI | null;
}

/** A key kept from earlier in this tab, used at once: its whoami is asked while the console reads. */
export interface Resumed {
  signedIn: SignedIn;
  whoami: Promise<WhoAmI>;
}

/** Called before the first render (main.tsx), so that these calls go out before anything is drawn. */
export function resume(key: string): Resumed {
  const whoami = checkAgain(createClient(key));
  // Handled once App has rendered (below): not reported as unhandled if it fails before that.
  whoami.catch(() => undefined);
  return { signedIn: { ...connect(key), identity: null }, whoami };
}

/**
 * The whoami of a resumed key. A refusal (4xx) is final; no answer at all (the network, a 5xx, or this
 * page being left for another, which fails its calls too) is asked again twice, 2 s apart: leaving the
 * page during whoami must not sign the tab out.
 */
async function checkAgain(client: AlertRelayClient): Promise<WhoAmI> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await whoAmI(client);
    } catch (error) {
      if ((error instanceof AlertRelayError && error.status < 500) || attempt === 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

export function App({ resumed }: { resumed: Resumed | null }) {
  const [signedIn, setSignedIn] = useState<SignedIn | null>(resumed?.signedIn ?? null);
  const [notice, setNotice] = useState<string | null>(null);
  const shown = useRef(signedIn);
  shown.current = signedIn;

  // From the login page: the key is checked before anything is shown with it.
  const signIn = async (key: string): Promise<void> => {
    const identity = await whoAmI(createClient(key));
    storeKey(key);
    setNotice(null);
    setSignedIn({ ...connect(key), identity });
  };
  const signOut = (message?: string) => {
    forgetKey();
    setNotice(message ?? null);
    setSignedIn(null);
  };

  // With a resumed key the console shows before whoami answers, but offers no action until it does
  // (canWrite is false while identity is null); if whoami refuses the key, back to the login page, saying why.
  useEffect(() => {
    if (!resumed) return;
    const isShown = () => shown.current?.client === resumed.signedIn.client;
    resumed.whoami.then(
      (identity) =>
        setSignedIn((current) => (current?.client === resumed.signedIn.client ? { ...current, identity } : current)),
      (error: unknown) => isShown() && signOut(`Signed out: ${describeError(error)}`),
    );
  }, []);

  if (!signedIn) return <LoginPage onSignIn={signIn} notice={notice} />;
  return <SignedInConsole signedIn={signedIn} signOut={signOut} />;
}

function SignedInConsole({ signedIn, signOut }: { signedIn: SignedIn; signOut: (notice?: string) => void }) {
  const session: Session = useMemo(
    () => ({
      ...signedIn,
      canWrite: signedIn.identity?.scopes.includes('write') ?? false,
      signOut,
    }),
    [signedIn],
  );
  // One cache per sign-in: nothing read with one key is shown after signing in with another. (Per client,
  // not per identity: whoami answering after the first reads keeps what they read.)
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
  }, [signedIn.client]);
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
