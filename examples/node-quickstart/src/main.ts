/**
 * A short tour of @cims/sdk against a running server: health, then a session as the demo CEO — who am I, a refresh
 * the SDK does by itself, my devices, and signing out.
 *
 *   CIMS_URL=http://127.0.0.1:8000 pnpm --filter node-quickstart start
 *
 * CIMS_EMAIL / CIMS_PASSWORD choose the account (default: the demo CEO that `pnpm start` creates).
 */
import { CimsApiError, createCimsClient, memoryTokenStore, SessionExpiredError, unwrap } from '@cims/sdk';

const baseUrl = process.env.CIMS_URL ?? 'http://127.0.0.1:8000';
const email = process.env.CIMS_EMAIL ?? 'ceo@cims.local';
const password = process.env.CIMS_PASSWORD ?? 'ceo-demo-password';

const store = memoryTokenStore();
const cims = createCimsClient({ baseUrl, tokenStore: store });

try {
  const live = unwrap(await cims.health.liveness());
  console.log(`Server ${baseUrl} is up: version ${live.version}, running for ${live.uptime_seconds}s.`);
  const ready = await cims.health.readiness({ query: { verbose: 'true' } });
  // 200 and 503 both carry the checks; any other status is an error body.
  const checks = ready.status === 200 || ready.status === 503 ? (ready.body.checks ?? {}) : {};
  console.log(`Ready for traffic: ${ready.status === 200 ? 'yes' : 'no'}`);
  for (const [name, check] of Object.entries(checks)) {
    console.log(`  - ${name}: ${check.status}${check.latency_ms === undefined ? '' : ` (${check.latency_ms} ms)`}`);
  }

  await cims.login({ email, password });
  const me = unwrap(await cims.auth.me());
  const pages = Object.entries(me.permissions)
    .filter(([, on]) => on)
    .map(([page]) => page);
  console.log(
    `Signed in as ${me.name} ${me.surname} <${me.email}>, role ${me.role}, pages: ${pages.join(', ') || 'none'}`,
  );

  // Spoil the access token, as an expired one would be: the next call gets 401, the SDK refreshes once and retries.
  const tokens = await store.get();
  await store.set({ accessToken: 'expired', refreshToken: tokens?.refreshToken });
  const again = unwrap(await cims.auth.me());
  const rotated = (await store.get())?.refreshToken !== tokens?.refreshToken;
  console.log(`Refreshed by itself: still ${again.email}; refresh token rotated: ${rotated ? 'yes' : 'no'}`);

  const sessions = unwrap(await cims.auth.listSessions());
  console.log(`Active sessions: ${sessions.length}`);
  for (const s of sessions) {
    console.log(
      `  - #${s.id} ${s.user_agent ?? 'unknown device'}${s.current ? ' (this one)' : ''}, since ${s.created_at}`,
    );
  }

  await cims.logout();
  const after = await cims.auth.me().then(
    (res) => res.status,
    (error: unknown) => (error instanceof SessionExpiredError ? 'session expired' : String(error)),
  );
  console.log(`Signed out; /auth/me now answers: ${after}`);
} catch (error) {
  if (error instanceof CimsApiError) console.error(`The server refused: ${error.code} ${error.message}`);
  else console.error(`Could not reach ${baseUrl}: ${(error as Error).message}`);
  process.exitCode = 1;
}
