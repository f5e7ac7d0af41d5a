import { type ContractRoute, contract, DEFAULT_CUSTOMER_STATUS, listRoutes, routeMeta } from '@cims/contracts';
import { expect, it } from 'vitest';
import { DEMO_SETUP } from './instagram/kit.js';
import type { Target, withWorld as WithWorld, World } from './suite-kit.js';
import { accessToken, SEEDED, signedIn } from './suite-kit.js';

/**
 * Optional means optional: for every route of the contract, a request that leaves out every optional field of its
 * body and query (the required ones filled in with valid values) must not be refused with a 422 naming one of the
 * fields left out. Code that type-checks against the contract leaves them out, so such a 422 is a disagreement
 * between the contract and the implementation. The routes and their fields come from the contract itself: a new
 * route or field is covered without anything to add here.
 */

/**
 * Optional fields that a documented rule still asks for in some situations, and why. Everything else left out must be
 * accepted.
 */
const CONDITIONALLY_REQUIRED: Record<string, string[]> = {
  // The CEO names the manager when several are active (docs/crm.md); a sales manager never has to.
  crmManagerActivity: ['query.sales_manager_id'],
};

/** The zod internals this walk reads (the suite reaches zod only through the contract's schemas). */
interface ZodLike {
  _def: { typeName?: string; schema?: ZodLike; options?: ZodLike[]; left?: ZodLike; innerType?: ZodLike };
  shape?: Record<string, ZodLike>;
  isOptional(): boolean;
}

/** The object of fields underneath refinements, a multipart `FormData | fields & files` union and defaults. */
function fieldsOf(schema: unknown): Record<string, ZodLike> | undefined {
  let current = schema as ZodLike | undefined;
  while (current && typeof current === 'object' && '_def' in current) {
    const def = current._def;
    if (def.typeName === 'ZodObject') return current.shape;
    if (def.typeName === 'ZodEffects') current = def.schema;
    else if (def.typeName === 'ZodUnion') current = def.options?.at(-1);
    else if (def.typeName === 'ZodIntersection') current = def.left;
    else if (def.typeName === 'ZodOptional' || def.typeName === 'ZodDefault') current = def.innerType;
    else return undefined;
  }
  return undefined;
}

type Place = 'body' | 'query';

interface Fields {
  required: string[];
  optional: string[];
}

function split(schema: unknown): Fields | undefined {
  const shape = fieldsOf(schema);
  if (!shape) return undefined;
  const entries = Object.entries(shape);
  return {
    required: entries.filter(([, field]) => !field.isOptional()).map(([name]) => name),
    optional: entries.filter(([, field]) => field.isOptional()).map(([name]) => name),
  };
}

/** The routes that have at least one optional body or query field, with those fields. */
function routesWithOptionalFields(): { route: ContractRoute; fields: Partial<Record<Place, Fields>> }[] {
  const out: { route: ContractRoute; fields: Partial<Record<Place, Fields>> }[] = [];
  for (const entry of listRoutes(contract)) {
    const fields: Partial<Record<Place, Fields>> = {};
    const body = 'body' in entry.route ? split(entry.route.body) : undefined;
    const query = split(entry.route.query);
    if (body?.optional.length) fields.body = body;
    if (query?.optional.length) fields.query = query;
    if (fields.body || fields.query) out.push({ route: entry, fields });
  }
  return out;
}

let sequence = 0;
function unique(): string {
  sequence += 1;
  return `${Date.now().toString(36)}${sequence}`;
}

/** The resources the path parameters name, created once per world. */
interface Fixtures {
  ceoToken: string;
  salesToken: string;
  ids: Record<string, string>;
}

/** A valid value for a required field, by its name (and the route, where one name means different things). */
function requiredValue(route: ContractRoute, field: string): string {
  if (route.name === 'authLogin') return field === 'username' ? SEEDED.ceo.email : SEEDED.ceo.password;
  const instagram: Record<string, string> = DEMO_SETUP;
  if (field in instagram) return instagram[field] as string;
  const values: Record<string, () => string> = {
    email: () => `optional-${unique()}@example.com`,
    password: () => 'a-long-password-1',
    name: () => `optional_${unique()}`,
    surname: () => 'Optional',
    display_name: () => 'Optional Fields',
    full_name: () => 'Optional Fields',
    platform: () => 'telegram',
    phone_number: () => `+99890${String((Date.now() + sequence * 7919) % 10_000_000).padStart(7, '0')}`,
    status_filter: () => 'need_to_call',
    start_date: () => '2026-01-01',
  };
  const value = values[field];
  if (!value) throw new Error(`No sample value for the required field ${field} of ${route.name}: add one`);
  return value();
}

/** The path with its parameters filled in from the fixtures. */
function pathOf(route: ContractRoute, fixtures: Fixtures): string {
  return route.route.path.replace(/:(\w+)\??/g, (_, name: string) => {
    const key = name === 'id' ? route.keys.slice(0, -1).join('.') || route.name : name;
    const byRoute: Record<string, string | undefined> = {
      crmManagerCustomers: fixtures.ids.salesManager,
      crmManagerStats: fixtures.ids.salesManager,
      ceoUpdateUser: fixtures.ids.user,
      managementUpdateStatus: fixtures.ids.status,
      managementPatchStatus: fixtures.ids.status,
      managementDeleteStatus: fixtures.ids.status,
      managementUpdatePage: fixtures.ids.page,
      managementPatchPage: fixtures.ids.page,
      managementUpdateRole: fixtures.ids.role,
      managementPatchRole: fixtures.ids.role,
      crmUpdate: fixtures.ids.customer,
      crmPatch: fixtures.ids.customer,
    };
    const value = name === 'file_id' ? 'no-such-recording' : byRoute[route.name];
    if (value === undefined) throw new Error(`No value for the path parameter ${name} (${key}) of ${route.name}`);
    return encodeURIComponent(value);
  });
}

interface Answer {
  status: number;
  body: { detail?: unknown; code?: string } | undefined;
}

/**
 * Sends the route's request with only its required fields, encoded as the route declares, with the path parameters
 * from `fixtures` and `token` as the bearer token (none: unauthenticated).
 */
async function sendRequired(
  world: World,
  {
    entry,
    fixtures,
    token,
  }: {
    entry: { route: ContractRoute; fields: Partial<Record<Place, Fields>> };
    fixtures: Fixtures;
    token: string | undefined;
  },
): Promise<Answer> {
  const { route } = entry;
  const headers = new Headers({ accept: 'application/json' });
  const meta = routeMeta(route.route);
  if (meta.auth === 'apiKey') headers.set('x-key', world.intakeKey ?? '');
  else if (token) headers.set('authorization', `Bearer ${token}`);
  const query = new URLSearchParams();
  for (const field of entry.fields.query?.required ?? []) query.set(field, requiredValue(route, field));
  const values = Object.fromEntries(
    (entry.fields.body?.required ?? []).map((field) => [field, requiredValue(route, field)]),
  );
  let body: BodyInit | undefined;
  if ('body' in route.route) {
    const contentType = route.route.contentType ?? 'application/json';
    if (contentType === 'multipart/form-data') {
      const form = new FormData();
      for (const [name, value] of Object.entries(values)) form.append(name, value);
      body = form;
    } else if (contentType === 'application/x-www-form-urlencoded') {
      body = new URLSearchParams(values);
      headers.set('content-type', contentType);
    } else {
      body = JSON.stringify(values);
      headers.set('content-type', 'application/json');
    }
  }
  const search = query.size > 0 ? `?${query}` : '';
  const res = await fetch(`${world.baseUrl}${pathOf(route, fixtures)}${search}`, {
    method: route.route.method,
    headers,
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text?.trimStart().startsWith('{') ? JSON.parse(text) : undefined };
}

/** The `loc` of every issue of a 422 answer, as `place.field`. */
function refusedFields(answer: Answer): string[] {
  if (answer.status !== 422 || !Array.isArray(answer.body?.detail)) return [];
  return (answer.body.detail as { loc: unknown[] }[]).map((issue) => issue.loc.slice(0, 2).join('.'));
}

export function optionalFieldsSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'optional fields are optional on every route', (world) => {
    let fixtures: Fixtures | undefined;

    /** One of each resource a path parameter names, created through the API as the CEO. */
    async function setUp(): Promise<Fixtures> {
      if (fixtures) return fixtures;
      const ceo = await signedIn(world(), SEEDED.ceo);
      const sales = await signedIn(world(), SEEDED.sales);
      const ok = <T>(res: { status: number; body: unknown }): T => {
        if (res.status >= 300) throw new Error(`fixture: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body as T;
      };
      const salesManager = ok<{ id: number }>(await sales.auth.me()).id;
      const user = ok<{ id: number }>(
        await ceo.ceo.createUser({
          body: { email: `optional-user-${unique()}@example.com`, name: 'Optional', password: 'a-long-password-1' },
        }),
      ).id;
      const status = ok<{ id: number }>(
        await ceo.management.createStatus({ body: { name: `optional_${unique()}`, display_name: 'Optional' } }),
      ).id;
      const page = ok<{ id: number }>(
        await ceo.management.createPage({ body: { name: `optional_${unique()}`, display_name: 'Optional' } }),
      ).id;
      const role = ok<{ id: number }>(
        await ceo.management.createRole({ body: { name: `optional_${unique()}`, display_name: 'Optional' } }),
      ).id;
      const form = new FormData();
      form.append('full_name', 'Optional Fields');
      form.append('platform', 'telegram');
      form.append('phone_number', '+998901112233');
      form.append('status', 'need_to_call');
      const customer = ok<{ id: number }>(await ceo.crm.create({ body: form })).id;
      fixtures = {
        ceoToken: await accessToken(ceo),
        salesToken: await accessToken(sales),
        ids: {
          salesManager: String(salesManager),
          user: String(user),
          status: String(status),
          page: String(page),
          role: String(role),
          customer: String(customer),
        },
      };
      return fixtures;
    }

    for (const entry of routesWithOptionalFields()) {
      const { route, fields } = entry;
      const left = [
        ...(fields.body?.optional ?? []).map((field) => `body.${field}`),
        ...(fields.query?.optional ?? []).map((field) => `query.${field}`),
      ];
      it(`${route.route.method} ${route.route.path} (${route.name}) without ${left.join(', ')}`, async () => {
        const f = await setUp();
        const meta = routeMeta(route.route);
        let token: string | undefined;
        if (meta.auth !== 'public') {
          // Signing out ends the session it is sent with: that route gets a session of its own.
          if (route.name === 'authLogout') token = await accessToken(await signedIn(world(), SEEDED.ceo));
          else token = meta.roles && !meta.roles.includes('CEO') ? f.salesToken : f.ceoToken;
        }
        const answer = await sendRequired(world(), { entry, fixtures: f, token });
        expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
        const allowed = CONDITIONALLY_REQUIRED[route.name] ?? [];
        expect(refusedFields(answer).filter((loc) => left.includes(loc) && !allowed.includes(loc))).toEqual([]);
      });
    }

    it('regression: a customer created without status or customer_status gets the default status', async () => {
      const ceo = await signedIn(world(), SEEDED.ceo);
      const form = new FormData();
      form.append('full_name', 'No Status Given');
      form.append('platform', 'telegram');
      form.append('phone_number', '+998907654321');
      const created = await ceo.crm.create({ body: form });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = (created.body as { id: number }).id;
      const detail = await ceo.crm.detail({ params: { id } });
      expect(detail.body).toMatchObject({ id, status: DEFAULT_CUSTOMER_STATUS });
      const history = await ceo.crm.statusHistory({ params: { id } });
      expect(history.body).toMatchObject([{ from_status: null, to_status: DEFAULT_CUSTOMER_STATUS }]);
    });
  });
}
