import type { Me } from '@cims/contracts';
import { SessionExpiredError, unwrap } from '@cims/sdk';
import { useCallback, useEffect, useState } from 'react';
import { cims, onSessionExpired, queryClient, tokenStore } from './cims.js';
import { API_URL, MODE } from './config.js';
import { CrmPanel } from './crm-panel.js';
import { describeError } from './errors.js';
import { InstagramPanel } from './instagram-panel.js';
import { LoginPage } from './login-page.js';
import type { SignInNotice } from './notice.js';
import { SessionsPanel } from './sessions-panel.js';

type AuthState = { kind: 'checking' } | { kind: 'signed-out'; notice?: SignInNotice } | { kind: 'signed-in'; me: Me };

/** The whole app: the sign-in page, or the dashboard once a session exists. */
export function App({ onResetMocks }: { onResetMocks?: () => Promise<void> }) {
  const [auth, setAuth] = useState<AuthState>({ kind: 'checking' });
  const signOut = useCallback((notice?: SignInNotice) => {
    // The next user must not see this one's cached data.
    queryClient.clear();
    setAuth({ kind: 'signed-out', notice });
  }, []);

  useEffect(
    () =>
      onSessionExpired((error) =>
        signOut({
          tone: 'warning',
          text:
            error.reason === 'signed-out'
              ? 'You were signed out in another tab.'
              : 'Your session has expired. Please sign in again.',
        }),
      ),
    [signOut],
  );

  // A stored session (a reload, a new tab) is used at once: the SDK refreshes it if the access token ran out.
  useEffect(() => {
    let current = true;
    void (async () => {
      if (!(await tokenStore.get())) {
        if (current) setAuth({ kind: 'signed-out' });
        return;
      }
      try {
        const me = unwrap(await cims.auth.me());
        if (current) setAuth({ kind: 'signed-in', me });
      } catch (error) {
        // A refused refresh already reported itself through onSessionExpired.
        if (current && !(error instanceof SessionExpiredError)) {
          setAuth({ kind: 'signed-out', notice: { tone: 'warning', text: describeError(error) } });
        }
      }
    })();
    return () => {
      current = false;
    };
  }, []);

  if (auth.kind === 'checking') {
    return (
      <main className="centered">
        <p role="status">Loading…</p>
      </main>
    );
  }
  if (auth.kind === 'signed-out') {
    return <LoginPage notice={auth.notice} onSignedIn={(me) => setAuth({ kind: 'signed-in', me })} />;
  }

  const { me } = auth;
  const logout = async () => {
    await cims.logout();
    signOut({ tone: 'info', text: 'You signed out.' });
  };
  const resetMocks = async () => {
    await cims.logout();
    await onResetMocks?.();
    signOut({ tone: 'info', text: 'The demo data is back to its seed. Sign in again.' });
  };

  return (
    <>
      <header className="topbar">
        <h1>CEO dashboard</h1>
        <p className="mode">
          {MODE === 'mock' ? (
            <>
              <span className="badge">Mock data</span> no server: @cims/mocks answers in this browser
            </>
          ) : (
            <>
              <span className="badge live">Live</span> {API_URL}
            </>
          )}
        </p>
        <p className="who">
          Signed in as{' '}
          <strong>
            {me.name} {me.surname}
          </strong>{' '}
          ({me.role})
        </p>
        {onResetMocks && (
          <button type="button" className="secondary" onClick={resetMocks}>
            Reset demo data
          </button>
        )}
        <button type="button" onClick={logout}>
          Sign out
        </button>
      </header>
      <main className="dashboard">
        <InstagramPanel />
        <CrmPanel />
        <SessionsPanel onSignedOut={signOut} />
      </main>
    </>
  );
}
