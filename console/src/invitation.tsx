/**
 * The page an invitation link opens (`#/invitation/<token>`): the invited user sets a password once, through
 * POST /auth/invitation, then signs in. The token stays in the fragment, so no server or log ever sees it.
 */
import { useState } from 'preact/hooks';
import { ApiError } from './client';
import { navigate } from './route';
import { client, notice } from './state';

export function SetPassword({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (password !== repeat) return setError('The two passwords differ.');
    setBusy(true);
    setError(undefined);
    try {
      await client().post('/auth/invitation', { token, password });
      notice.value = { kind: 'info', text: 'Your password is set. Sign in with it.' };
      navigate();
    } catch (e) {
      setError(
        e instanceof ApiError
          ? (e.details.find((d) => d.path === 'body.password')?.message ?? (e.status === 401 || e.status === 409 ? 'This invitation has expired, was used or was replaced. Ask for a new one.' : e.message))
          : String(e),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="invitation-title">
        <h1 id="invitation-title">Set your password</h1>
        <label>
          New password
          <input name="password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
        </label>
        <label>
          Repeat it
          <input name="repeat" type="password" autocomplete="new-password" value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} required />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Set password
        </button>
      </form>
    </main>
  );
}
