import { GROWTH_WINDOWS, growthWindowKey, type InstagramAccount, type InstagramGrowth } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { cims, queries, queryClient } from './cims.js';
import { describeError } from './errors.js';
import { formatChange, formatCount, formatDateTime, formatDay, formatPercent } from './format.js';
import { Notice } from './notice.js';

const RANGES = [30, 90, 365, 730] as const;

/** Followers now, growth over five windows, the daily history, "sync now", and the account's state. */
export function InstagramPanel() {
  const overview = useQuery(queries.instagram.account.queryOptions());
  const account = overview.data?.account ?? null;
  // The growth windows exist only once an account is connected.
  const growth = useQuery({ ...queries.instagram.growth.queryOptions(), enabled: account !== null });
  const [sync, setSync] = useState<{ running: boolean; message?: string; error?: string }>({ running: false });

  // After a sync or a connection: the account, its growth and the chart load again.
  const refresh = () => queryClient.invalidateQueries({ queryKey: queries.instagram.queryKey() });
  const syncNow = async () => {
    setSync({ running: true });
    try {
      const result = unwrap(await cims.instagram.sync());
      setSync({
        running: false,
        message: `Synced: @${result.account_username} has ${formatCount(result.followers_count)} followers (${formatDay(result.snapshot_date)}).`,
      });
    } catch (error) {
      setSync({ running: false, error: describeError(error) });
    }
    await refresh();
  };

  return (
    <section className="panel instagram" aria-labelledby="instagram-title">
      <div className="panel-head">
        <h2 id="instagram-title">Instagram</h2>
        {account && (
          <div className="actions">
            <button type="button" onClick={syncNow} disabled={sync.running}>
              {sync.running ? 'Syncing…' : 'Sync now'}
            </button>
          </div>
        )}
      </div>
      {sync.running && (
        <p className="progress">
          <progress aria-label="Syncing with Instagram" /> Reading the follower count from Instagram…
        </p>
      )}
      <Notice tone="info">{sync.message}</Notice>
      <Notice tone="warning">{sync.error}</Notice>
      <Notice tone="warning">
        {(overview.error ?? growth.error) && describeError(overview.error ?? growth.error)}
      </Notice>
      {overview.data && !account && (
        <>
          <p>No Instagram account is connected yet. Connect the company account to track its followers.</p>
          <ConnectForm onConnected={refresh} />
        </>
      )}
      {account && (
        <>
          <AccountState account={account} />
          {account.reconnect_required && <ConnectForm account={account} onConnected={refresh} />}
          {growth.data && <Growth growth={growth.data} />}
          <FollowerHistory />
        </>
      )}
    </section>
  );
}

/** The daily follower counts as a line, over a range the CEO picks. */
function FollowerHistory() {
  const [days, setDays] = useState<number>(90);
  // The old range stays on screen while the new one loads.
  const history = useQuery({
    ...queries.instagram.history.queryOptions({ query: { days } }),
    placeholderData: keepPreviousData,
  });
  const known = history.data?.points.filter((point) => point.followers_count !== null).length ?? 0;
  return (
    <figure className="chart" aria-labelledby="followers-caption">
      <figcaption id="followers-caption">
        Followers per day, last{' '}
        <select aria-label="History range" value={days} onChange={(event) => setDays(Number(event.target.value))}>
          {RANGES.map((range) => (
            <option key={range} value={range}>
              {range} days
            </option>
          ))}
        </select>
      </figcaption>
      <Notice tone="warning">{history.error && describeError(history.error)}</Notice>
      {history.data && (
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={history.data.points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="date" tickFormatter={formatDay} minTickGap={48} tick={{ fontSize: 11 }} />
            <YAxis
              domain={['auto', 'auto']}
              tickFormatter={(value: number) => formatCount(value)}
              width={64}
              tick={{ fontSize: 11 }}
            />
            <Tooltip labelFormatter={(label) => formatDay(String(label))} />
            {/* A line needs two days; until then each snapshot is a dot. */}
            <Line
              type="monotone"
              dataKey="followers_count"
              name="Followers"
              stroke="#C13584"
              strokeWidth={2}
              dot={known < 3}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}

function AccountState({ account }: { account: InstagramAccount }) {
  return (
    <div className="account">
      <p>
        <strong>@{account.account_username}</strong>{' '}
        {account.reconnect_required ? (
          <span className="badge danger">Reconnect required</span>
        ) : (
          <span className="badge ok">Connected</span>
        )}
      </p>
      <dl aria-label="Account state">
        <dt>Connected since</dt>
        <dd>{formatDateTime(account.connected_at)}</dd>
        <dt>Last sync</dt>
        <dd>{formatDateTime(account.last_synced_at)}</dd>
        <dt>Next sync</dt>
        <dd>{account.next_sync_at ? formatDateTime(account.next_sync_at) : 'not scheduled'}</dd>
        <dt>Token expires</dt>
        <dd>{account.token_expires_at ? formatDateTime(account.token_expires_at) : 'never'}</dd>
      </dl>
      {account.last_error && (
        <Notice tone="warning" live={false}>
          Last failure ({formatDateTime(account.last_error.at)}): {account.last_error.message}
        </Notice>
      )}
    </div>
  );
}

function Growth({ growth }: { growth: InstagramGrowth }) {
  return (
    <>
      <p className="figure">
        <span>Current followers</span>
        <strong>{formatCount(growth.current_followers)}</strong>
        <span className="muted">{growth.as_of ? `as of ${formatDay(growth.as_of)}` : 'no snapshot yet: sync now'}</span>
      </p>
      <table aria-label="Follower growth">
        <thead>
          <tr>
            <th scope="col">Window</th>
            <th scope="col">Growth</th>
            <th scope="col">Change</th>
            <th scope="col">Compared with</th>
          </tr>
        </thead>
        <tbody>
          {GROWTH_WINDOWS.map((windowDays) => {
            const row = growth[growthWindowKey(windowDays)];
            return (
              <tr key={windowDays}>
                <th scope="row">{windowDays} days</th>
                <td>{formatChange(row.growth)}</td>
                <td>{formatPercent(row.growth_percentage)}</td>
                <td>
                  {row.from_date ? `${formatDay(row.from_date)} (${formatCount(row.from_followers)})` : '—'}{' '}
                  {row.complete ? (
                    <span className="badge ok">complete</span>
                  ) : (
                    <span className="badge" title="History is shorter than this window: compared with the first day">
                      incomplete
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/** `POST /instagram/setup`: the first connection, or a reconnection with a new token. */
function ConnectForm({ account, onConnected }: { account?: InstagramAccount; onConnected: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      const result = unwrap(
        await cims.instagram.setup({
          body: {
            account_username: text('account_username'),
            instagram_business_account_id: text('instagram_business_account_id'),
            facebook_page_id: text('facebook_page_id'),
            access_token: text('access_token'),
          },
        }),
      );
      setMessage(result.message);
      onConnected();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="connect" aria-labelledby="connect-title" onSubmit={submit}>
      <h3 id="connect-title">{account ? 'Reconnect the Instagram account' : 'Connect an Instagram account'}</h3>
      <div className="fields">
        <label>
          Username
          <input name="account_username" required defaultValue={account?.account_username} />
        </label>
        <label>
          Instagram business account id
          <input
            name="instagram_business_account_id"
            required
            inputMode="numeric"
            defaultValue={account?.instagram_business_account_id}
          />
        </label>
        <label>
          Facebook page id
          <input name="facebook_page_id" required inputMode="numeric" defaultValue={account?.facebook_page_id} />
        </label>
        <label>
          Access token
          <input name="access_token" type="password" required autoComplete="off" />
        </label>
      </div>
      <Notice tone="warning">{error}</Notice>
      <Notice tone="info">{message}</Notice>
      <button type="submit" disabled={busy}>
        {busy ? 'Checking with Instagram…' : account ? 'Reconnect' : 'Connect'}
      </button>
    </form>
  );
}
