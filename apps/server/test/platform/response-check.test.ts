import { CustomerSchema, contract } from '@cims/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fastResponseSchema, withFastResponses } from '../../src/http/response-check.js';

const customer = {
  id: 1,
  full_name: 'Alisher Karimov',
  platform: 'telegram_bot',
  username: null,
  phone_number: '+998901234567',
  status: 'contacted',
  status_label: 'Contacted',
  status_category: 'open',
  customer_type: 'local',
  assistant_name: null,
  chat_url: null,
  notes: null,
  aisummary: null,
  importance_score: 40,
  priority_score: null,
  priority_level: 'medium',
  priority_reason: null,
  industry: null,
  business_age_years: null,
  audio_file_id: null,
  audio_url: null,
  recall_time: null,
  conversation_language: 'uz',
  sales_manager: { id: 3, name: 'Sales', surname: 'One' },
  created_at: '2026-11-27T09:30:00.000+05:00',
  updated_at: '2026-11-27T09:30:00+05:00',
  is_archived: false,
  archived_at: null,
};

/** Schemas and values on which a compiled check could say something else than zod if it were trusted blindly. */
const cases: [string, z.ZodTypeAny, unknown][] = [
  ['a customer as declared', CustomerSchema, customer],
  ['a customer with an unknown key', CustomerSchema, { ...customer, password_hash: 'x' }],
  ['a customer with a key the contract names set to undefined', CustomerSchema, { ...customer, notes: undefined }],
  ['a customer with a timestamp without an offset', CustomerSchema, { ...customer, created_at: '2026-11-27T09:30:00' }],
  ['a customer with a fractional id', CustomerSchema, { ...customer, id: 1.5 }],
  ['a customer with an unknown enum value', CustomerSchema, { ...customer, priority_level: 'urgent' }],
  [
    'a manager with an unknown key',
    CustomerSchema,
    { ...customer, sales_manager: { id: 3, name: 'S', surname: 'O', x: 1 } },
  ],
  ['an Infinity (zod takes it, JSON Schema does not)', z.object({ n: z.number() }), { n: Number.POSITIVE_INFINITY }],
  ['a NaN', z.object({ n: z.number() }), { n: Number.NaN }],
  ['an integer bound', z.object({ n: z.number().int().min(1) }), { n: 0 }],
  ['kept keys of a catchall', z.object({ total: z.number() }).catchall(z.number()), { total: 3, open: 1, won: 2 }],
  ['a bad value of a catchall', z.object({ total: z.number() }).catchall(z.number()), { total: 3, open: 'x' }],
  ['a record', z.record(z.string(), z.number().int()), { a: 1, b: 2 }],
  ['a Date for a record', z.record(z.string(), z.number()), new Date(0)],
  ['a Map for an object', z.object({ a: z.string().optional() }), new Map()],
  ['an absent optional key', z.object({ a: z.string(), b: z.string().optional() }), { a: 'x' }],
  ['a passthrough object', z.object({ a: z.string() }).passthrough(), { a: 'x', b: 1 }],
  // zod keeps the first option that parses (stripped); the fast path must not pick another one.
  [
    'a union of objects',
    z.union([z.object({ a: z.string() }), z.object({ a: z.string(), b: z.number() })]),
    { a: 'x', b: 1 },
  ],
  ['a union of primitives', z.object({ v: z.union([z.string(), z.number(), z.null()]) }), { v: 2 }],
  // zod counts UTF-16 code units, JSON Schema code points: two emoji are 4 units.
  ['a string length in emoji', z.object({ s: z.string().max(3) }), { s: '😀😀' }],
  ['a case-insensitive pattern', z.object({ s: z.string().regex(/^ab$/i) }), { s: 'AB' }],
  ['a default', z.object({ s: z.string().default('x') }), {}],
  ['a transform', z.object({ s: z.string().transform((s) => s.toUpperCase()) }), { s: 'ab' }],
  ['a date', z.object({ d: z.date() }), { d: new Date(0) }],
  ['a literal', z.object({ ok: z.literal(true) }), { ok: false }],
  ['a nullable object', z.object({ o: z.object({ id: z.number() }).nullable() }), { o: null }],
  // Sent as they are, these would not be written as zod writes them: zod copies what it reads.
  [
    'an object with a getter',
    z.object({ id: z.number() }),
    new (class {
      get id() {
        return 1;
      }
    })(),
  ],
  [
    'an object with a toJSON',
    z.object({ id: z.number() }),
    Object.assign(Object.create({ toJSON: () => ({ id: 1, secret: 'x' }) }), { id: 1 }),
  ],
  ['an object without a prototype', z.object({ id: z.number() }), Object.assign(Object.create(null), { id: 1 })],
  [
    'an own __proto__ key in a record',
    z.record(z.string(), z.boolean()),
    Object.fromEntries([
      ['crm', true],
      ['__proto__', true],
    ]),
  ],
  [
    'an own __proto__ key of a catchall',
    z.object({}).catchall(z.boolean()),
    JSON.parse('{"crm": true, "__proto__": true}'),
  ],
];

const legacyCounts = { contacted: 0, project_started: 0, continuing: 0, finished: 0, rejected: 0, need_to_call: 0 };

describe('the compiled response check', () => {
  it.each(cases)('gives zod’s outcome for %s', (_name, schema, value) => {
    const expected = schema.safeParse(value);
    const actual = fastResponseSchema(schema).safeParse(value);
    expect(actual.success).toBe(expected.success);
    if (actual.success && expected.success) {
      expect(actual.data).toStrictEqual(expected.data);
      // What is sent: the JSON of the data.
      expect(JSON.stringify(actual.data)).toBe(JSON.stringify(expected.data));
    } else if (!actual.success && !expected.success) expect(actual.error.issues).toEqual(expected.error.issues);
  });

  it('passes the lists of customers on as they are, without a copy', () => {
    const page = { page: 1, page_size: 50, total_items: 1, total_pages: 1 };
    const bodies = [
      { route: contract.crm.latest, body: [customer] },
      {
        route: contract.crm.dashboard,
        body: {
          ...page,
          customers: [customer],
          status_stats: { total_customers: 1, ...legacyCounts, contacted: 1 },
          status_dict: { contacted: 1 },
          status_percentages: { contacted: 100 },
          status_choices: [{ value: 'contacted', label: 'Contacted', color: null, category: 'open' }],
          permissions: ['CRM'],
          selected_status: null,
          period_stats: { today: 1, this_week: 1, this_month: 1, last_3_months: 1, last_6_months: 1, last_year: 1 },
        },
      },
    ];
    for (const { route, body } of bodies) {
      const checked = (withFastResponses(route).responses[200] as z.ZodTypeAny).safeParse(body);
      expect(checked.error?.issues).toBeUndefined();
      expect(checked.data).toBe(body);
    }
  });
});
