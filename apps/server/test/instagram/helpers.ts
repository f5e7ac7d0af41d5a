import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FAKE_GRAPH_DEMO } from '@cims/mocks';
import { type FakeGraphServer, startFakeGraphApi } from '@cims/mocks/node';
import { type CimsClient, createCimsClient } from '@cims/sdk';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { asInt, query } from '../../src/db/sql.js';
import { CEO } from '../auth/helpers.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../harness.js';

export { FAKE_GRAPH_DEMO };

/** The business zone of the test apps (the default `BUSINESS_TIMEZONE`). */
export const ZONE = 'Asia/Tashkent';

/** Business days in Tashkent. */
export const days = {
  today: () => DateTime.now().setZone(ZONE).toISODate() as string,
  add: (day: string, n: number) => DateTime.fromISO(day, { zone: ZONE }).plus({ days: n }).toISODate() as string,
};

/** Graph API settings that keep retries fast: the policy is the same, only the waits are short. */
export const FAST_GRAPH_ENV = {
  GRAPH_API_RETRY_BASE_MS: '1',
  GRAPH_API_RETRY_MAX_MS: '5',
  GRAPH_API_TIMEOUT_MS: '2000',
  GRAPH_API_MAX_ATTEMPTS: '3',
};

/** The Meta app credentials the fake Graph API expects. */
export const APP_ENV = { META_APP_ID: FAKE_GRAPH_DEMO.appId, META_APP_SECRET: FAKE_GRAPH_DEMO.appSecret };

/** The setup body of the fake's demo account. */
export const DEMO_SETUP = {
  account_username: FAKE_GRAPH_DEMO.username,
  instagram_business_account_id: FAKE_GRAPH_DEMO.accountId,
  facebook_page_id: FAKE_GRAPH_DEMO.pageId,
  access_token: FAKE_GRAPH_DEMO.token,
};

/** A test app talking to a fake Graph API over HTTP, and a client signed in as the CEO. */
export interface InstagramWorld extends AsyncDisposable {
  t: TestApp;
  fake: FakeGraphServer;
  ceo: CimsClient;
  /** Graph API requests answered so far for a path ending in `suffix` (`/17841…`, `/debug_token`, …). */
  graphCalls(suffix?: string): number;
}

/**
 * A fresh app whose `GRAPH_API_BASE_URL` is a fake Graph API (with the app credentials unless `app: false`), and a
 * CEO client. `env` adds to or overrides the app's variables.
 */
export async function instagramWorld(
  options: { env?: Record<string, string>; app?: boolean; graphUrl?: string } & Omit<TestAppOptions, 'env'> = {},
): Promise<InstagramWorld> {
  const fake = await startFakeGraphApi();
  let t: TestApp;
  try {
    t = await createTestApp({
      ...options,
      env: {
        GRAPH_API_BASE_URL: options.graphUrl ?? fake.url,
        ...FAST_GRAPH_ENV,
        ...(options.app === false ? {} : APP_ENV),
        ...options.env,
      },
    });
  } catch (error) {
    await fake.close();
    throw error;
  }
  const ceo = createCimsClient({ baseUrl: t.url });
  await ceo.login(CEO);
  const close = async () => {
    await t.close();
    await fake.close();
  };
  return {
    t,
    fake,
    ceo,
    graphCalls: (suffix = '') => fake.graph.requests.filter((request) => request.path.endsWith(suffix)).length,
    [Symbol.asyncDispose]: close,
  };
}

/** The app's own database, for arranging what the API cannot (past snapshots, an old token). */
export function em(t: TestApp): EntityManager {
  return t.server.app.context.db.orm.em.fork() as EntityManager;
}

export async function sql(t: TestApp, text: string, params: unknown[] = []) {
  return query(em(t), text, params);
}

/** The id of the connected account. */
export async function connectedAccountId(t: TestApp): Promise<number> {
  const [row] = await sql(t, 'select id from instagram_account where disconnected_at is null');
  if (!row) throw new Error('No account is connected');
  return asInt(row.id);
}

/** Inserts snapshots of the connected account on chosen days, as the sync stores them. */
export async function insertSnapshots(
  t: TestApp,
  points: { date: string; followers_count: number; following_count?: number; media_count?: number }[],
): Promise<void> {
  const accountId = await connectedAccountId(t);
  for (const point of points) {
    await sql(
      t,
      `insert into instagram_snapshot (account_id, snapshot_date, followers_count, following_count, media_count,
         captured_at)
       values (?, ?, ?, ?, ?, now())
       on conflict (account_id, snapshot_date) do update set followers_count = excluded.followers_count`,
      [accountId, point.date, point.followers_count, point.following_count ?? 0, point.media_count ?? 0],
    );
  }
}

export async function countSnapshots(t: TestApp): Promise<number> {
  const [row] = await sql(t, 'select count(*) as n from instagram_snapshot');
  return asInt(row?.n);
}

/**
 * A relay in front of the fake Graph API that can misbehave like a network: `pass` forwards each request, `hang`
 * never answers (for timeouts), `drop` closes the connection without an answer.
 */
export interface FaultyRelay {
  url: string;
  mode: 'pass' | 'hang' | 'drop';
  close(): Promise<void>;
}

export async function startFaultyRelay(target: string): Promise<FaultyRelay> {
  const sockets = new Set<Socket>();
  const relay: FaultyRelay = { url: '', mode: 'pass', close: async () => {} };
  const server: Server = createServer((req, res) => {
    if (relay.mode === 'hang') return;
    if (relay.mode === 'drop') {
      req.socket.destroy();
      return;
    }
    void (async () => {
      const answer = await fetch(`${target}${req.url ?? '/'}`, { method: req.method });
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'content-encoding') headers[name] = value;
      });
      res.writeHead(answer.status, headers);
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  relay.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return relay;
}

/** A local port nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
