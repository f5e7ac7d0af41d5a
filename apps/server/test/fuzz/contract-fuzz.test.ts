import { writeFileSync } from 'node:fs';
import { type ContractRoute, contract, listRoutes } from '@cims/contracts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CEO, SALES } from '../auth/helpers.js';
import type { TestApp } from '../harness.js';
import { DEMO_SETUP, type InstagramWorld, instagramWorld } from '../instagram/helpers.js';
import {
  type Caller,
  describeRequest,
  type FuzzRequest,
  type FuzzWorld,
  inputCount,
  requestArb,
  SIGNED_IN,
} from './generate.js';
import { type Answer, violations } from './oracle.js';

/**
 * Every route of the contract, fuzzed over HTTP with requests built from its own schemas (see generate.ts), as each
 * kind of caller. Whatever is sent, the answer must be one the contract declares: never a 5xx, a declared status, an
 * error body in the contract's shape whose code belongs to that status, and a 2xx body that matches the route's
 * response schema.
 *
 * Seeded and bounded: `FUZZ_RUNS` requests in all (default 3000), shared out by how many values a caller controls on
 * each route, plus a few valid reads per read route at the end; `FUZZ_SEED` picks the
 * requests (default fixed, so CI sends the same ones every time); `FUZZ_ROUTE=name,name` runs only those routes and
 * sends them the very requests the full run sends. `FUZZ_REPORT=file.json` writes every violation found.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206);
const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const ONLY = process.env.FUZZ_ROUTE?.split(',').map((name) => name.trim());

if (!Number.isSafeInteger(SEED)) throw new Error('FUZZ_SEED must be an integer');
if (!Number.isSafeInteger(TOTAL_RUNS) || TOTAL_RUNS < 1) throw new Error('FUZZ_RUNS must be a positive integer');

const ALL_ROUTES = listRoutes(contract);
const unknown = ONLY?.filter((name) => !ALL_ROUTES.some((entry) => entry.name === name)) ?? [];
if (unknown.length > 0) throw new Error(`FUZZ_ROUTE: no route named ${unknown.join(', ')}`);
/** Requests per route: a share of the total that grows with the values a caller controls there (at least 8). */
const SHARES = new Map(ALL_ROUTES.map((entry) => [entry.name, 2 + inputCount(entry.route)]));
const TOTAL_SHARES = [...SHARES.values()].reduce((a, b) => a + b, 0);
const runsFor = (name: string) => Math.max(8, Math.round((TOTAL_RUNS * (SHARES.get(name) ?? 1)) / TOTAL_SHARES));
const ROUTES = ONLY ? ALL_ROUTES.filter((entry) => ONLY.includes(entry.name)) : ALL_ROUTES;
const INTAKE_KEY = 'fuzz-intake-key-0123456789abcdef';
const USER = { email: 'fuzz-user@cims.local', password: 'fuzz-user-password' };

/** The route's own seed, so that one route run alone gets the requests it gets in the full run. */
function routeSeed(name: string): number {
  let hash = SEED | 0;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 16_777_619);
  return hash;
}

interface Finding {
  route: string;
  key: string;
  count: number;
  index: number;
  request: string;
  answer: string;
  log?: string;
}

describe('contract fuzz: every route answers as its contract says, whatever it is sent', () => {
  let world: InstagramWorld;
  let t: TestApp;
  const tokens = new Map<Caller, string>();
  const ids = { users: [] as number[], crmPage: 0, known: [] as number[] };
  const findings: Finding[] = [];
  /** Answers per route and status, for the report: how much of each route the run reached. */
  const statuses: Record<string, Record<number, number>> = {};

  async function signIn(who: { email: string; password: string }): Promise<string> {
    const res = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: who.email, password: who.password }).toString(),
    });
    const body = (await res.json()) as { access_token?: string };
    if (res.status !== 200 || !body.access_token) {
      throw new Error(`${who.email} can no longer sign in (${res.status} ${JSON.stringify(body)})`);
    }
    return body.access_token;
  }

  const logins: Record<string, { email: string; password: string }> = { ceo: CEO, sales: SALES, user: USER };

  /** A fuzzed logout, logout-all or session revocation ends a principal's session: sign in again. */
  async function ensureSignedIn(caller: Caller): Promise<void> {
    const res = await fetch(`${t.url}/auth/me`, { headers: { authorization: `Bearer ${tokens.get(caller)}` } });
    await res.arrayBuffer();
    if (res.status === 401) tokens.set(caller, await signIn(logins[caller] as { email: string; password: string }));
  }

  function headersFor(caller: Caller): Record<string, string> {
    switch (caller) {
      case 'ceo':
      case 'sales':
      case 'user':
        return { authorization: `Bearer ${tokens.get(caller)}` };
      case 'bad-token':
        return { authorization: `Bearer ${tokens.get('ceo')?.slice(0, -4)}AAAA` };
      case 'api-key':
        return { 'x-key': INTAKE_KEY };
      case 'bad-api-key':
        return { 'x-key': `${INTAKE_KEY.slice(0, -1)}X` };
      case 'anonymous':
        return {};
    }
  }

  async function send(req: FuzzRequest): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(`${t.url}${req.url}`, {
        method: req.method,
        headers: { ...req.headers, ...headersFor(req.as) },
        body: typeof req.body === 'string' || req.body === undefined ? req.body : Uint8Array.from(req.body),
        redirect: 'manual',
      });
    } catch (error) {
      // The server dropped the connection: no answer at all, which is worse than any status.
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
      return { status: 0, contentType: '', text: `connection failed: ${cause}`, requestId: '' };
    }
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      text: res.headers.get('content-type')?.startsWith('audio/') ? '' : await res.text(),
      requestId: res.headers.get('x-request-id') ?? '',
    };
  }

  /** The server's own account of a failed request: the error it logged (kind, SQLSTATE, message, where). */
  function loggedError(requestId: string): { kind: string; text: string } | undefined {
    const line = t.logs.find(
      (entry) =>
        (entry.level as number) >= 50 &&
        (entry.reqId === requestId || (entry.req as { id?: unknown } | undefined)?.id === requestId) &&
        entry.err !== undefined,
    );
    if (!line) return undefined;
    const err = line.err as { type?: string; message?: string; sqlState?: string; table?: string; stack?: string };
    const where = err.stack
      ?.split('\n')
      .find((l) => l.includes('/src/'))
      ?.trim();
    // The kind names the class: the error type with its SQLSTATE, or with its message minus the values in it.
    const message = err.message
      ?.replace(/'[^']*'/g, "'…'")
      .replace(/\d+/g, 'N')
      .slice(0, 60);
    return {
      kind: [err.type, err.sqlState ?? message].filter(Boolean).join(' '),
      text: [err.type, err.sqlState, err.table, err.message?.slice(0, 300), where].filter(Boolean).join(' | '),
    };
  }

  async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.get('ceo')}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`setup: ${method} ${path} answered ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  beforeAll(async () => {
    // The Instagram routes talk to a fake Graph API, so an upstream failure is never the network's.
    world = await instagramWorld({
      env: {
        CRM_CUSTOMER_API_KEY: INTAKE_KEY,
        // Thousands of requests from one address: the rate limits have tests of their own.
        RATE_LIMIT_IP_MAX: '1000000',
        RATE_LIMIT_ACCOUNT_MAX: '1000000',
        LOG_LEVEL: 'warn',
      },
    });
    t = world.t;
    tokens.set('ceo', await signIn(CEO));
    await api('POST', '/instagram/setup', DEMO_SETUP);
    tokens.set('sales', await signIn(SALES));
    await api('POST', '/ceo/users', { ...USER, name: 'Fuzz', role: 'Member', pages: [] });
    tokens.set('user', await signIn(USER));
    for (const caller of SIGNED_IN) {
      const me = await api('GET', '/auth/me', undefined, { authorization: `Bearer ${tokens.get(caller)}` });
      ids.users.push(Number(me.id));
    }
    const pages = (await api('GET', '/management/pages')) as unknown as { id: number; name: string }[];
    ids.crmPage = Number(pages.find((page) => page.name === 'crm')?.id);
    // A few customers with notes, so that valid requests find something to read, change and delete.
    for (let i = 0; i < 3; i++) {
      const created = await api(
        'POST',
        '/crm/api/customers',
        { full_name: `Fuzz ${i}`, platform: 'telegram', phone_number: `+99890111223${i}` },
        { 'x-key': INTAKE_KEY, authorization: '' },
      );
      const id = Number(created.id);
      const note = await api('POST', `/crm/customers/${id}/notes`, { note: `note ${i}` });
      ids.known.push(id, Number(note.id));
    }
  });

  afterAll(async () => {
    if (process.env.FUZZ_REPORT) {
      const report = { seed: SEED, runs: TOTAL_RUNS, database: t?.database, statuses, findings };
      writeFileSync(process.env.FUZZ_REPORT, `${JSON.stringify(report, null, 2)}\n`);
    }
    await world?.[Symbol.asyncDispose]();
  });

  const fuzzWorld: FuzzWorld = {
    protectedIds: (route) => {
      // Deleting, deactivating or re-passwording a principal, or taking the CRM page away, would end the run's
      // ability to call as that principal; everything else about these routes is fuzzed.
      if (route.path.startsWith('/ceo/users/')) return ids.users;
      if (route.path.startsWith('/management/pages/')) return [ids.crmPage];
      return [];
    },
    get knownIds() {
      return ids.known;
    },
  };

  /** Sends a route its requests and fails with every kind of answer the contract does not allow. */
  async function fuzzRoute(entry: ContractRoute, pass: string, requests: FuzzRequest[]): Promise<void> {
    const classes = new Map<string, Finding>();
    const tally: Record<number, number> = {};
    statuses[`${pass}${entry.name}`] = tally;
    for (const [index, req] of requests.entries()) {
      const answer = await send(req);
      tally[answer.status] = (tally[answer.status] ?? 0) + 1;
      if (answer.status === 401 && SIGNED_IN.includes(req.as)) await ensureSignedIn(req.as);
      for (const { problem, code } of violations(entry.route, answer)) {
        // One class per answer, place of the mutation and (for a 5xx) the kind of error the server logged.
        const log = answer.status >= 500 ? loggedError(answer.requestId) : undefined;
        const key = `${answer.status} ${code ?? '-'}: ${problem} [${req.mutation.split(':')[0]}]${log ? ` ${log.kind}` : ''}`;
        const known = classes.get(key);
        if (known) {
          known.count++;
          continue;
        }
        classes.set(key, {
          route: `${pass}${entry.name}`,
          key,
          count: 1,
          index,
          request: describeRequest(req),
          answer: `${answer.status} ${answer.text.slice(0, 400)}`,
          log: log?.text,
        });
      }
    }
    findings.push(...classes.values());
    if (classes.size === 0) return;
    const report = [...classes.values()].map(
      (f) =>
        `- ${f.key} × ${f.count}; first: request #${f.index}\n  request: ${f.request.replaceAll('\n', '\n  ')}` +
        `\n  answer: ${f.answer}${f.log ? `\n  server logged: ${f.log}` : ''}`,
    );
    throw new Error(
      `${pass}${entry.name}: ${classes.size} kind(s) of answer the contract does not allow, in ${requests.length} requests.\n` +
        `Reproduce: FUZZ_SEED=${SEED} FUZZ_RUNS=${TOTAL_RUNS} FUZZ_ROUTE=${entry.name} ` +
        'pnpm vitest run --project server test/fuzz/contract-fuzz.test.ts (the same requests; when a class needs ' +
        'what earlier routes stored, run without FUZZ_ROUTE)\n' +
        report.join('\n'),
    );
  }

  const titled = (entries: ContractRoute[]) =>
    entries.map((entry) => [`${entry.name}: ${entry.route.method} ${entry.route.path}`, entry] as const);

  it.each(titled(ROUTES))('%s', async (_title, entry) => {
    await fuzzRoute(
      entry,
      '',
      fc.sample(requestArb(entry, fuzzWorld), { seed: routeSeed(entry.name), numRuns: runsFor(entry.name) }),
    );
  });

  // Whatever the fuzz managed to store (a far-future date, an odd name) must not break a read for everyone after it:
  // every read route again, with valid requests only, once everything else has run.
  it.each(titled(ROUTES.filter((entry) => entry.route.method === 'GET')))(
    'after the fuzz: %s',
    async (_title, entry) => {
      const requests = fc.sample(requestArb(entry, fuzzWorld, { validOnly: true }), {
        seed: routeSeed(entry.name) + 1,
        numRuns: 5,
      });
      await fuzzRoute(entry, 'after the fuzz: ', requests);
    },
  );
});
