import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, isStatus } from '../api';

interface Props {
  onSignIn: (key: string) => Promise<void>;
  /** Why the operator is here again (signed out, key no longer accepted). */
  notice: string | null;
}

export function LoginPage({ onSignIn, notice }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = 'Sign in · Alert Relay';
    input.current?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const key = input.current?.value.trim() ?? '';
    if (!key) return setError('Enter an API key.');
    setBusy(true);
    setError(null);
    try {
      await onSignIn(key);
    } catch (failure) {
      setBusy(false);
      setError(
        isStatus(failure, 401)
          ? 'That API key is not valid. Check it and try again.'
          : isStatus(failure, 403)
            ? 'That API key may not read notifications (it lacks the "read" scope).'
            : describeError(failure),
      );
      input.current?.select();
    }
  };

  return (
    <main id="main" class="login">
      <form onSubmit={(event) => void submit(event)} aria-describedby="login-help">
        <h1>Alert Relay</h1>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <label for="api-key">API key</label>
        <input
          ref={input}
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="current-password"
          required
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'login-error' : undefined}
        />
        <p id="login-help" class="muted">
          A key from <code>api.keys</code> in the service's config. It is kept in this tab only and sent as{' '}
          <code>Authorization: Bearer</code>.
        </p>
        {error && (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
