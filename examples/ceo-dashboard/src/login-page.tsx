import type { Me } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { type FormEvent, useState } from 'react';
import { cims } from './cims.js';
import { API_URL, MODE } from './config.js';
import { describeError } from './errors.js';
import { Notice, type SignInNotice } from './notice.js';

/** E-mail and password, through the SDK's `login` (the tokens go to `localStorage`). */
export function LoginPage({ notice, onSignedIn }: { notice?: SignInNotice; onSignedIn: (me: Me) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await cims.login({ email: String(form.get('email')), password: String(form.get('password')) });
      onSignedIn(unwrap(await cims.auth.me()));
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <form className="panel login" aria-labelledby="login-title" onSubmit={submit}>
        <h1 id="login-title">Sign in to the CEO dashboard</h1>
        {notice && <Notice tone={notice.tone}>{notice.text}</Notice>}
        <label>
          E-mail
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <Notice tone="warning">{error}</Notice>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          {MODE === 'mock' ? (
            <>
              Mock mode, no server: sign in as <code>ceo@cims.local</code> with <code>ceo-demo-password</code>.
            </>
          ) : (
            <>
              Live mode: the server at <code>{API_URL}</code>.
            </>
          )}
        </p>
      </form>
    </main>
  );
}
