/**
 * The BASELINE of the auth benchmark: `GET /auth/me` and `POST /auth/refresh` on plain `node:http` + `pg` + `jose`,
 * with no framework at all. It sends the server's SQL statements (copied from the auth services in
 * `apps/server/src/modules/auth/`, `rate-limit.ts` and `user-view.ts`; the `?` placeholders numbered
 * `$1, $2, …` and the values sent as parameters, where the server inlines them into the text with MikroORM's
 * `formatQuery` and sends a simple query), signs and verifies the same JWTs and seals the same successor with the same
 * key derivation and options (`access-tokens.ts`, `secrets.ts`, `crypto.ts`), and answers with the same JSON bodies. `auth.bench.ts` checks all of that before
 * measuring. What it leaves out is exactly what the ratio measures: Express, helmet's headers, the request log, the
 * route table, the body parsers, ts-rest's request and response validation, MikroORM's entity-manager forks,
 * transactions and knex.
 *
 * Run as a child process of `auth.bench.ts` (IPC): it reports `{ type: 'ready', url }` and exits on `{ type: 'stop' }`.
 */

import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessTokens } from '@cims/server/bench';
import pg from 'pg';
import { serveProcessStats } from './lib/child-stats.js';

const env = process.env;
const databaseUrl = env.DATABASE_URL;
const jwtSecret = env.JWT_SECRET;
if (!databaseUrl || !jwtSecret) throw new Error('The baseline needs DATABASE_URL and JWT_SECRET');
const accessTokenSeconds = Number(env.ACCESS_TOKEN_EXPIRE_MINUTES ?? 3000) * 60;
const rateLimitWindowSeconds = Number(env.RATE_LIMIT_WINDOW_SECONDS ?? 900);
const rateLimitIpMax = Number(env.RATE_LIMIT_IP_MAX ?? 300);
/** `BASELINE_RATE_LIMIT=false` leaves out the rate-limit upsert of refresh (to measure what that statement costs). */
const withRateLimit = env.BASELINE_RATE_LIMIT !== 'false';

type Rows = Record<string, unknown>[];
/** How the baseline reaches the database: `pg` directly (the baseline), or MikroORM (an experiment, see below). */
interface Db {
  query(sql: string, params: unknown[]): Promise<Rows>;
  transaction<T>(work: (query: (sql: string, params: unknown[]) => Promise<Rows>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` placeholders as `$1, $2, …` (the values go as parameters). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function pgDb(): Db {
  // The server's pool on PostgreSQL: `pool: { min: 0, max: 10 }` (apps/server/src/db/orm.ts), with knex's pool (tarn)
  // closing idle connections after 30 s; pg.Pool's own default would be 10 s.
  const pool = new pg.Pool({ connectionString: databaseUrl, min: 0, max: 10, idleTimeoutMillis: 30_000 });
  const texts = new Map<string, string>();
  const text = (sql: string) => {
    let numberedSql = texts.get(sql);
    if (numberedSql === undefined) {
      numberedSql = numbered(sql);
      texts.set(sql, numberedSql);
    }
    return numberedSql;
  };
  return {
    async query(sql, params) {
      return (await pool.query(text(sql), params)).rows;
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work(async (sql, params) => (await client.query(text(sql), params)).rows);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * EXPERIMENT (`BASELINE_DB=mikro-orm`), not the baseline: the same handlers, but every statement goes through the
 * server's own database layer (its `openDatabase` and `query()`: a MikroORM entity-manager fork, knex, its pool) and
 * the refresh transaction through `em.transactional`, as the server does. The difference to the plain baseline is
 * what MikroORM costs, without Express and ts-rest.
 */
async function mikroOrmDb(): Promise<Db> {
  const { openDatabase, query } = await import('@cims/server/bench');
  const db = await openDatabase({ kind: 'postgres', url: databaseUrl as string });
  return {
    query: (sql, params) => query(db.orm.em.fork() as never, sql, params),
    transaction: (work) =>
      db.orm.em.fork().transactional((tem) => work((sql, params) => query(tem as never, sql, params))),
    close: () => db.close(),
  };
}

const db = env.BASELINE_DB === 'mikro-orm' ? await mikroOrmDb() : pgDb();

// secrets.ts: keys are HMAC-SHA-256(JWT_SECRET, purpose).
const derive = (purpose: string) => new Uint8Array(createHmac('sha256', jwtSecret).update(purpose).digest());
const jwtKey = derive('cims-access-token');
const successorKey = derive('cims-refresh-successor');

// ------------------------------------------------------------------------------------------------ the server's SQL

/** rate-limit.ts, RateLimiter.hit */
const SQL_RATE_LIMIT_HIT = `insert into rate_limit_hit (key, window_start, window_seconds, count) values (?, ?, ?, 1)
       on conflict (key, window_start) do update set count = rate_limit_hit.count + 1
       returning count`;
/** sign-in.service.ts, refresh: the spend-once statement */
const SQL_SPEND = `update refresh_token rt set spent_at = now()
           from auth_session s join app_user u on u.id = s.user_id
          where rt.token_hash = ? and rt.spent_at is null and s.id = rt.session_id
            and s.revoked_at is null and s.expires_at > now() and u.is_active
          returning rt.id, rt.session_id, s.user_id`;
/** auth-core.ts, issue */
const SQL_INSERT_TOKEN = 'insert into refresh_token (session_id, token_hash, created_at) values (?, ?, now())';
/** sign-in.service.ts, refresh: the successor sealed onto the spent token */
const SQL_SEAL_SUCCESSOR = 'update refresh_token set sealed_successor = ? where id = ?';
/** sign-in.service.ts, refresh */
const SQL_TOUCH_SESSION = 'update auth_session set last_used_at = now() where id = ?';
/** request-auth.service.ts, authenticate */
const SQL_SESSION_CHECK = `select u.role, u.email from auth_session s join app_user u on u.id = s.user_id
        where s.id = ? and s.user_id = ? and s.revoked_at is null and s.expires_at > now() and u.is_active`;
/** profile.service.ts, me: the user row (`${USER_BASE_COLUMNS}`, user-view.ts) and its pages, in one statement */
const SQL_ME = `select u.id, u.email, u.name, u.surname, u.role, u.company_code, u.telegram_id, u.job_title,
  u.profile_image, u.is_active, u.email_verified_at, u.created_at,
              (select coalesce(json_agg(json_build_array(p.name, pp.id is not null) order by p.sort_order, p.name),
                               '[]')
                 from app_page p left join user_page_permission pp on pp.page_name = p.name and pp.user_id = u.id
                where p.is_active) as pages
         from app_user u where u.id = ?`;

// ------------------------------------------------------------------------------------------------ tokens

/**
 * The server's own token code (access-tokens.ts): signing and verifying are the same work on both sides, so the
 * ratio shows the framework's cost, not a difference in token handling — and the two cannot drift apart.
 */
const accessTokens = new AccessTokens(jwtKey, accessTokenSeconds);
const signAccessToken = (userId: number, sessionId: number) => accessTokens.sign({ userId, sessionId });
const verifyAccessToken = (token: string) => accessTokens.verify(token);

/** crypto.ts */
const newRefreshToken = () => randomBytes(64).toString('base64url');
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
/** crypto.ts, seal: AES-256-GCM, `base64url(iv ‖ tag ‖ ciphertext)` */
function seal(key: Uint8Array, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

// ------------------------------------------------------------------------------------------------ HTTP

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const unauthenticated = (res: ServerResponse, detail: string) =>
  send(res, 401, { detail, code: 'UNAUTHENTICATED' }, { 'WWW-Authenticate': 'Bearer' });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const asDate = (value: unknown) => (value instanceof Date ? value : new Date(String(value)));

async function me(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = req.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match?.[1]) return unauthenticated(res, 'Not authenticated');
  const claims = await verifyAccessToken(match[1]);
  if (!claims) return unauthenticated(res, 'The access token is invalid or expired');
  const [session] = await db.query(SQL_SESSION_CHECK, [claims.sessionId, claims.userId]);
  if (!session) return unauthenticated(res, 'The session has ended');
  const [user] = await db.query(SQL_ME, [claims.userId]);
  if (!user) return unauthenticated(res, 'The session has ended');
  const pages = (typeof user.pages === 'string' ? JSON.parse(user.pages) : user.pages) as [unknown, unknown][];
  const isCeo = user.role === 'CEO';
  send(res, 200, {
    id: Number(user.id),
    email: String(user.email),
    name: String(user.name),
    surname: String(user.surname),
    role: user.role,
    permissions: Object.fromEntries(pages.map(([name, granted]) => [String(name), isCeo || granted === true])),
    profile_image: user.profile_image ?? null,
    job_title: user.job_title ?? null,
    company_code: String(user.company_code),
    telegram_id: user.telegram_id ?? null,
    is_active: user.is_active === true,
    email_verified: user.email_verified_at !== null,
    created_at: asDate(user.created_at).toISOString(),
  });
}

async function refresh(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let token: unknown;
  try {
    token = (JSON.parse(await readBody(req)) as { refresh_token?: unknown }).refresh_token;
  } catch {
    return send(res, 400, { detail: 'The request body is not valid JSON', code: 'MALFORMED_BODY' });
  }
  if (typeof token !== 'string' || token.length === 0 || token.length > 512) {
    return send(res, 422, { detail: 'refresh_token is required', code: 'VALIDATION_FAILED' });
  }
  if (withRateLimit) {
    // RateLimiter.hit with the key `ip:refresh:<ip>`, in autocommit, before the transaction (as #limitIp does).
    const size = rateLimitWindowSeconds * 1000;
    const start = new Date(Math.floor(Date.now() / size) * size);
    const [hit] = await db.query(SQL_RATE_LIMIT_HIT, [
      `ip:refresh:${req.socket.remoteAddress ?? 'unknown'}`,
      start,
      rateLimitWindowSeconds,
    ]);
    if (Number(hit?.count) > rateLimitIpMax) {
      return send(res, 429, { detail: 'Too many attempts; try again later', code: 'RATE_LIMITED' });
    }
  }
  const hash = sha256(token);
  const pair = await db.transaction(async (query) => {
    const [spent] = await query(SQL_SPEND, [hash]);
    // The grace/reuse branch of the server is not part of the baseline: an unspendable token is a plain 401 here
    // (the transaction commits having changed nothing, as the server's does), and the benchmark counts it as a failure.
    if (!spent) return undefined;
    const sessionId = Number(spent.session_id);
    const userId = Number(spent.user_id);
    // #issue: the new token, then the access token (signed inside the transaction, as the server does)
    const refreshToken = newRefreshToken();
    await query(SQL_INSERT_TOKEN, [sessionId, sha256(refreshToken)]);
    const pair = {
      access_token: await signAccessToken(userId, sessionId),
      refresh_token: refreshToken,
      token_type: 'bearer' as const,
      expires_in: accessTokenSeconds,
    };
    await query(SQL_SEAL_SUCCESSOR, [seal(successorKey, refreshToken), spent.id]);
    await query(SQL_TOUCH_SESSION, [sessionId]);
    return pair;
  });
  if (!pair)
    return send(res, 401, { detail: 'The refresh token is invalid or expired', code: 'REFRESH_TOKEN_INVALID' });
  send(res, 200, pair);
}

const http = createServer((req, res) => {
  const path = req.url?.split('?')[0];
  const handler =
    req.method === 'GET' && path === '/auth/me'
      ? me
      : req.method === 'POST' && path === '/auth/refresh'
        ? refresh
        : null;
  if (!handler) return send(res, 404, { detail: 'Not Found', code: 'NOT_FOUND' });
  handler(req, res).catch((error: unknown) => {
    console.error(error);
    if (!res.headersSent) send(res, 500, { detail: 'Internal Server Error', code: 'INTERNAL' });
  });
});
serveProcessStats();
// Node's defaults, as for the server's http.createServer (keep-alive on).
http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});

process.on('message', (message: { type?: string }) => {
  if (message?.type !== 'stop') return;
  http.close();
  http.closeAllConnections();
  db.close().finally(() => process.exit(0));
});
