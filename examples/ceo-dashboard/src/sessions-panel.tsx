import { unwrap } from '@cims/sdk';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { cims, queries } from './cims.js';
import { describeError } from './errors.js';
import { describeDevice, formatDateTime } from './format.js';
import { Notice, type SignInNotice } from './notice.js';

/** The user's signed-in devices; end one, this one, or all of them. */
export function SessionsPanel({ onSignedOut }: { onSignedOut: (notice: SignInNotice) => void }) {
  const sessions = useQuery(queries.auth.listSessions.queryOptions());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };
  const endSession = (id: number) =>
    act(async () => {
      const result = await cims.auth.revokeSession({ params: { id } });
      if (result.status !== 204) unwrap(result);
      await sessions.refetch();
    });
  const logoutHere = () =>
    act(async () => {
      await cims.logout();
      onSignedOut({ tone: 'info', text: 'You signed out on this device.' });
    });
  const logoutEverywhere = () =>
    act(async () => {
      const { revoked_sessions } = await cims.logoutAll();
      onSignedOut({
        tone: 'info',
        text: `You signed out everywhere: ${revoked_sessions} ${revoked_sessions === 1 ? 'session' : 'sessions'} ended.`,
      });
    });

  return (
    <section className="panel sessions" aria-labelledby="sessions-title">
      <div className="panel-head">
        <h2 id="sessions-title">Sessions</h2>
        <button type="button" className="secondary" onClick={() => sessions.refetch()} disabled={sessions.isFetching}>
          Refresh sessions
        </button>
      </div>
      <Notice tone="warning">{sessions.error && describeError(sessions.error)}</Notice>
      {sessions.data && (
        <table aria-label="Your sessions">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">IP address</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last active</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.data.map((session) => (
              <tr key={session.id}>
                <th scope="row">
                  {describeDevice(session.user_agent)}
                  {session.current && <span className="badge">This device</span>}
                </th>
                <td>{session.ip_address ?? '—'}</td>
                <td>{formatDateTime(session.created_at)}</td>
                <td>{formatDateTime(session.last_used_at)}</td>
                <td>
                  {!session.current && (
                    <button
                      type="button"
                      className="secondary"
                      disabled={busy}
                      aria-label={`End session ${session.id} (${describeDevice(session.user_agent)})`}
                      onClick={() => endSession(session.id)}
                    >
                      End
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Notice tone="warning">{error}</Notice>
      <div className="actions">
        <button type="button" className="secondary" disabled={busy} onClick={logoutHere}>
          Log out this device
        </button>
        <button type="button" className="danger" disabled={busy} onClick={logoutEverywhere}>
          Log out everywhere
        </button>
      </div>
    </section>
  );
}
