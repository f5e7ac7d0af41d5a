import { type ContractRoute, type FilePart, routeMeta } from '@cims/contracts';
import type { AppRoute } from '@ts-rest/core';
import fc from 'fast-check';
import type { ZodTypeAny } from 'zod';

/**
 * Requests for a contract route, built from the route's own zod schemas: valid ones, and ones with one thing wrong
 * (a hostile value somewhere, a missing or extra field, the wrong media type, a bad `%` escape in the path, the wrong
 * credentials). Everything is a fast-check arbitrary, so a seed gives the same requests again.
 */

/** Text sent exactly as written: a JSON token JavaScript cannot hold (`9223372036854775807`), or a bad `%` escape. */
export class Raw {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `<raw ${this.text}>`;
  }
}

/** Who sends a request. The test resolves each to headers (a fresh token for the signed-in principals). */
export type Caller = 'ceo' | 'sales' | 'user' | 'anonymous' | 'bad-token' | 'api-key' | 'bad-api-key';
export const SIGNED_IN: readonly Caller[] = ['ceo', 'sales', 'user'];

/** One request, on the wire, plus what was done to it (for the report). */
export interface FuzzRequest {
  route: string;
  as: Caller;
  method: string;
  /** Path and query, already encoded. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** What is wrong with the request, e.g. `body.phone_number: hostile`; `valid` when nothing was. */
  mutation: string;
}

/** What the generator needs to know about the world it fuzzes. */
export interface FuzzWorld {
  /** Ids that must never be the target of a destructive route (the principals' own accounts, the CRM page). */
  protectedIds: (route: AppRoute) => readonly number[];
  /** Existing ids worth hitting (customers, notes, users), so valid requests reach the handlers' success paths. */
  knownIds: readonly number[];
}

// ---------------------------------------------------------------------------------------------------- hostile values

const HUGE = 70_000;
/** Bigger than the 1 MB body limit once a few of them are in one body. */
const OVERSIZED = 1_100_000;

/** Dates and instants that exist on no calendar or sit at the edges of what a database or `Date` can hold. */
const BAD_DATES = [
  '2024-02-30',
  '2023-02-29',
  '2024-13-01',
  '2024-00-10',
  '0000-01-01',
  '0001-01-01',
  '9999-12-31',
  '2024-02-30T10:00:00Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+05:00',
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999+14:00',
  '+275760-09-13T00:00:00Z',
  '1969-12-31T23:59:59.999-00:00',
];

/** Numbers beyond int32, int64, `Number.MAX_SAFE_INTEGER` and double, written as the client would type them. */
const BIG_NUMBER_TEXTS = [
  '1e19',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '1e308',
  '1e400',
  '-1',
  '0',
  '1.5',
  '-0',
  '1e-400',
];

/** Text a database rejects or mangles: PostgreSQL's text cannot hold NUL, UTF-8 cannot hold a lone surrogate. */
const NUL_TEXT = ['a\u0000b', '\u0000', 'Ali Valiyev\u0000', '+99890\u00001234567'];
const SURROGATE_TEXT = ['\ud800', 'x\udfffy', '\udbff\udbff', 'note \ud83d'];

const OTHER_TEXT = [
  '',
  ' ',
  '\t\n',
  "' OR '1'='1' --",
  '"; DROP TABLE app_user; --',
  '\\',
  '%',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as it is written
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '\u202eevil',
  '🙂👍🏽',
  'ǅ\u0301\u0301\u0301',
  'NaN',
  'Infinity',
  'null',
  'true',
  '[]',
  '{}',
];

/** Bad `%` escapes and overlong or surrogate UTF-8, only meaningful inside a URL or a URL-encoded form. */
const BAD_ESCAPES = [
  '%ff',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%80',
  '%00',
  '%2e%2e%2f',
  '%F4%90%80%80',
  '%FE%FF',
];

type Place = 'json' | 'url' | 'multipart';

function hostileLeaf(place: Place): fc.Arbitrary<unknown> {
  const bigNumbers = fc.oneof(
    fc.constantFrom(...BIG_NUMBER_TEXTS).map((t) => new Raw(t)),
    fc.constantFrom(...BIG_NUMBER_TEXTS),
  );
  // A URL longer than Node's 16 KB request head never reaches the app (Node answers a bare 431 itself), so huge
  // values in a URL stay below it once percent-encoded.
  const huge =
    place === 'url'
      ? fc.constantFrom('9'.repeat(8_000), '\u0000'.repeat(1_000), 'é'.repeat(1_000), '🙂'.repeat(400))
      : fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('a', '\u0000', 'é', '🙂').map((c) => c.repeat(HUGE)) },
          { weight: 1, arbitrary: fc.constant('x'.repeat(OVERSIZED)) },
        );
  const arbitraries: fc.WeightedArbitrary<unknown>[] = [
    // Each family of values that has broken servers gets an equal share.
    { weight: 3, arbitrary: fc.constantFrom(...NUL_TEXT) },
    { weight: 3, arbitrary: fc.constantFrom(...SURROGATE_TEXT) },
    { weight: 3, arbitrary: fc.constantFrom(...BAD_DATES) },
    { weight: 3, arbitrary: bigNumbers },
    { weight: 1, arbitrary: huge },
    { weight: 2, arbitrary: fc.constantFrom(...OTHER_TEXT) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  ];
  if (place === 'json') {
    arbitraries.push({
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(
        null,
        true,
        false,
        {},
        [],
        [1],
        { $gt: '' },
        0,
        -1,
        2 ** 31,
        Number.MAX_SAFE_INTEGER,
        -0,
        0.5,
      ),
    });
  } else {
    arbitraries.push({ weight: 3, arbitrary: fc.constantFrom(...BAD_ESCAPES).map((t) => new Raw(t)) });
  }
  return fc.oneof(...arbitraries);
}

// ---------------------------------------------------------------------------------------------------- valid values

type Def = Record<string, unknown> & { typeName: string };
const defOf = (schema: ZodTypeAny) => schema._def as Def;

const dayArb = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2031-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const instantArb = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const phoneArb = fc.integer({ min: 1_000_000, max: 9_999_999 }).map((n) => `+99890${n}`);

/** Realistic values for common string patterns: a regex-only generator rarely makes a real day or phone number. */
const FORMATS: { example: string; arb: fc.Arbitrary<string> }[] = [
  { example: '2026-03-14', arb: dayArb },
  { example: '2026-03-14T09:30:00.000Z', arb: instantArb },
  { example: '+998901234567', arb: phoneArb },
];

interface Check {
  kind: string;
  value?: number;
  regex?: RegExp;
  inclusive?: boolean;
}

function stringArb(def: Def): fc.Arbitrary<string> {
  const checks = (def.checks as Check[]) ?? [];
  let min = 0;
  let max = 40;
  for (const check of checks) {
    if (check.kind === 'min') min = check.value ?? 0;
    if (check.kind === 'max') max = Math.min(max, check.value ?? max);
    if (check.kind === 'length') min = max = check.value ?? 0;
  }
  max = Math.max(max, min);
  const kinds = new Set(checks.map((c) => c.kind));
  if (kinds.has('email')) {
    // fc.emailAddress() follows RFC 5322, whose odd corners zod's (and every web form's) address check refuses.
    return fc.oneof(
      fc
        .tuple(
          fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}[a-z0-9]$/),
          fc.constantFrom('cims.local', 'example.com', 'mail.uz'),
        )
        .map(([local, domain]) => `${local}@${domain}`),
      fc.integer({ min: 0, max: 50 }).map((n) => `fuzz${n}@cims.local`),
    );
  }
  if (kinds.has('datetime')) return instantArb;
  if (kinds.has('date')) return dayArb;
  if (kinds.has('uuid')) return fc.uuid();
  if (kinds.has('url')) return fc.webUrl();
  const regexes = checks.filter((c) => c.kind === 'regex').map((c) => c.regex as RegExp);
  if (regexes.length > 0) {
    const known = FORMATS.filter((f) => regexes.every((re) => re.test(f.example))).map((f) => f.arb);
    // fast-check cannot generate for case-insensitive patterns; the lower-case matches are matches all the same.
    const pattern = regexes[0] as RegExp;
    const generable = new RegExp(pattern.source, pattern.flags.replace(/[igy]/g, ''));
    return fc
      .oneof(...known.map((arbitrary) => ({ weight: 4, arbitrary })), {
        weight: 1,
        arbitrary: fc.stringMatching(generable),
      })
      .filter((s) => s.length <= max + 40);
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: max }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: max }) },
  );
}

function numberArb(def: Def): fc.Arbitrary<number> {
  const checks = (def.checks as Check[]) ?? [];
  const isInt = checks.some((c) => c.kind === 'int');
  let min = -1_000_000;
  let max = 1_000_000;
  for (const check of checks) {
    if (check.kind === 'min') min = Math.max(min, (check.value ?? min) + (check.inclusive === false ? 1 : 0));
    if (check.kind === 'max') max = Math.min(max, (check.value ?? max) - (check.inclusive === false ? 1 : 0));
  }
  if (max < min) max = min;
  if (!isInt) return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  // Small values first: ids, pages and sizes that exist.
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min, max: Math.min(max, min + 60) }) },
    { weight: 1, arbitrary: fc.integer({ min, max }) },
  );
}

/** The schema under wrappers that change nothing about what the client sends. */
function unwrap(schema: ZodTypeAny): ZodTypeAny {
  const def = defOf(schema);
  switch (def.typeName) {
    case 'ZodOptional':
    case 'ZodNullable':
    case 'ZodDefault':
    case 'ZodCatch':
    case 'ZodReadonly':
      return unwrap(def.innerType as ZodTypeAny);
    case 'ZodBranded':
      return unwrap(def.type as ZodTypeAny);
    case 'ZodEffects':
      return unwrap(def.schema as ZodTypeAny);
    case 'ZodPipeline':
      return unwrap(def.in as ZodTypeAny);
    case 'ZodLazy':
      return unwrap((def.getter as () => ZodTypeAny)());
    default:
      return schema;
  }
}

/** The fields of an object schema (through its wrappers and intersections), or undefined. */
export function objectShape(schema: ZodTypeAny): Record<string, ZodTypeAny> | undefined {
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.typeName === 'ZodObject') return (def.shape as () => Record<string, ZodTypeAny>)();
  if (def.typeName === 'ZodIntersection') {
    const left = objectShape(def.left as ZodTypeAny);
    const right = objectShape(def.right as ZodTypeAny);
    if (left && right) return { ...left, ...right };
  }
  return undefined;
}

/** A value the schema accepts (mostly: refinements are not solved, only their input shape is generated). */
export function valid(schema: ZodTypeAny, key = ''): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.typeName) {
    case 'ZodString':
      return stringArb(def);
    case 'ZodNumber':
      return numberArb(def);
    case 'ZodBigInt':
      return fc.bigInt({ min: -1000n, max: 1000n }).map((n) => new Raw(String(n)));
    case 'ZodBoolean':
      return fc.boolean();
    case 'ZodDate':
      return instantArb;
    case 'ZodLiteral':
      return fc.constant(def.value);
    case 'ZodEnum':
      return fc.constantFrom(...(def.values as string[]));
    case 'ZodNativeEnum':
      return fc.constantFrom(...Object.values(def.values as object));
    case 'ZodNull':
      return fc.constant(null);
    case 'ZodUndefined':
    case 'ZodVoid':
      return fc.constant(undefined);
    case 'ZodAny':
    case 'ZodUnknown':
      return fc.jsonValue({ maxDepth: 2 });
    case 'ZodOptional':
    case 'ZodDefault':
      return fc.option(valid(def.innerType as ZodTypeAny, key), { nil: undefined, freq: 3 });
    case 'ZodNullable':
      return fc.option(valid(def.innerType as ZodTypeAny, key), { nil: null, freq: 4 });
    case 'ZodCatch':
    case 'ZodReadonly':
      return valid(def.innerType as ZodTypeAny, key);
    case 'ZodBranded':
      return valid(def.type as ZodTypeAny, key);
    case 'ZodEffects': {
      // A transform cannot be solved, but the contract documents the words it takes ("One of `uz`, `ru`, `en`").
      const words = [...(schema.description ?? '').matchAll(/`([^`\s]+)`/g)].map((m) => m[1] as string);
      const inner = valid(def.schema as ZodTypeAny, key);
      const effect = (def.effect as { type: string }).type;
      if (effect !== 'transform' || words.length < 2) return inner;
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...words) }, { weight: 1, arbitrary: inner });
    }
    case 'ZodPipeline':
      return valid(def.in as ZodTypeAny, key);
    case 'ZodLazy':
      return valid((def.getter as () => ZodTypeAny)(), key);
    case 'ZodArray': {
      const minLength = (def.minLength as { value: number } | null)?.value ?? 0;
      const maxLength = Math.max(minLength, Math.min((def.maxLength as { value: number } | null)?.value ?? 4, 4));
      return fc.array(valid(def.type as ZodTypeAny, key), { minLength, maxLength });
    }
    case 'ZodTuple':
      return fc.tuple(...(def.items as ZodTypeAny[]).map((item) => valid(item, key)));
    case 'ZodRecord':
      return fc.dictionary(valid(def.keyType as ZodTypeAny).map(String), valid(def.valueType as ZodTypeAny, key), {
        maxKeys: 4,
      });
    case 'ZodUnion':
    case 'ZodDiscriminatedUnion': {
      const options = def.options as ZodTypeAny[] | Map<unknown, ZodTypeAny>;
      return fc.oneof(...[...options.values()].map((option) => valid(option, key)));
    }
    case 'ZodObject':
    case 'ZodIntersection': {
      const shape = objectShape(schema);
      if (!shape) throw new Error(`fuzz: an intersection of non-objects at ${key || 'the root'}`);
      return fc.record(
        Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, valid(s, k)])) as Record<
          string,
          fc.Arbitrary<unknown>
        >,
      );
    }
    default:
      // A kind of schema the contract did not use before: teach the generator, rather than guess.
      throw new Error(`fuzz: no generator for ${def.typeName} at ${key || 'the root'}`);
  }
}

const FAMILIES = ['nul', 'surrogate', 'bad date', 'beyond int64'] as const;
type Family = (typeof FAMILIES)[number];
type LeafKind = 'text' | 'date' | 'number' | 'other';

/** What a field holds, as far as hostile values go: dates are text whose pattern takes a day. */
function leafKind(schema: ZodTypeAny): LeafKind {
  const def = defOf(unwrap(schema));
  if (def.typeName === 'ZodNumber' || def.typeName === 'ZodBigInt') return 'number';
  if (def.typeName !== 'ZodString') return 'other';
  const regexes = ((def.checks as Check[]) ?? []).filter((c) => c.kind === 'regex').map((c) => c.regex as RegExp);
  const datish = ['2026-03-14', '2026-03-14T09:30:00.000Z', '2026-03-14T09:30:00'];
  if (regexes.length > 0 && datish.some((d) => regexes.every((re) => re.test(d)))) return 'date';
  return 'text';
}

/** A value of the family for a field of this kind, or undefined where the family does not fit (keep it valid). */
function familyValue(family: Family, kind: LeafKind, pick: number): unknown {
  const from = <T>(list: readonly T[]) => list[pick % list.length];
  switch (family) {
    case 'nul':
      return kind === 'text' ? from(NUL_TEXT) : undefined;
    case 'surrogate':
      return kind === 'text' ? from(SURROGATE_TEXT) : undefined;
    case 'bad date':
      return kind === 'date' ? from(BAD_DATES) : undefined;
    case 'beyond int64':
      return kind === 'number' ? new Raw(from(BIG_NUMBER_TEXTS) as string) : undefined;
  }
}

/**
 * Values the schema accepts, as far as the generator can tell: the base of a mutation must be valid everywhere else, or
 * the request is refused (422) before the one hostile value reaches anything. Where the generator cannot satisfy the
 * schema's refinements often enough to filter (a few in twenty), the unfiltered values are used.
 */
function accepted(schema: ZodTypeAny): fc.Arbitrary<unknown> {
  const values = valid(schema);
  const probe = fc.sample(values, { seed: 1, numRuns: 20 });
  const passing = probe.filter((value) => schema.safeParse(value).success).length;
  return passing >= 3 ? values.filter((value) => schema.safeParse(value).success) : values;
}

/** The schema's value with exactly one thing wrong: a hostile leaf, a missing or extra field, or the wrong type. */
export function mutated(schema: ZodTypeAny, place: Place, path = ''): fc.Arbitrary<{ value: unknown; what: string }> {
  const inner = unwrap(schema);
  const def = defOf(inner);
  const whole = hostileLeaf(place).map((value) => ({ value, what: `${path || 'body'}: hostile` }));
  const shape = objectShape(inner);
  if (shape && Object.keys(shape).length > 0) {
    const keys = Object.keys(shape);
    const base = accepted(inner) as fc.Arbitrary<Record<string, unknown>>;
    const at = (key: string) => (path ? `${path}.${key}` : key);
    // Built once per field, not per generated value: building arbitraries (regexes above all) is the slow part.
    const field = fc.oneof(
      ...keys.map((key) =>
        fc
          .tuple(base, mutated(shape[key] as ZodTypeAny, place, at(key)))
          .map(([object, m]) => ({ value: { ...object, [key]: m.value }, what: m.what })),
      ),
    );
    const missing = fc.tuple(base, fc.constantFrom(...keys)).map(([object, key]) => {
      const { [key]: _dropped, ...rest } = object;
      return { value: rest, what: `${at(key)}: missing` };
    });
    const extra = fc
      .tuple(base, fc.constantFrom('__proto__', 'constructor', 'id', 'role', 'extra'), hostileLeaf(place))
      .map(([object, key, value]) => ({ value: { ...object, [key]: value }, what: `${at(key)}: extra field` }));
    // One family of hostile values in every field it fits at once: a request that reaches the handler then tries
    // each of its text, date or number fields, instead of one, against the database.
    const everywhere = fc.tuple(base, fc.constantFrom(...FAMILIES), fc.nat()).map(([object, family, pick]) => {
      const out: Record<string, unknown> = { ...object };
      for (const key of keys) {
        const bad = familyValue(family, leafKind(shape[key] as ZodTypeAny), pick);
        if (bad !== undefined) out[key] = bad;
      }
      return { value: out, what: `${at('*')}: ${family} everywhere` };
    });
    return fc.oneof(
      { weight: 6, arbitrary: field },
      { weight: 4, arbitrary: everywhere },
      { weight: 2, arbitrary: missing },
      { weight: 1, arbitrary: extra },
      { weight: 1, arbitrary: whole },
    );
  }
  if (def.typeName === 'ZodArray') {
    const element = def.type as ZodTypeAny;
    const withBad = fc
      .tuple(fc.array(valid(element), { maxLength: 3 }), mutated(element, place, `${path}[]`))
      .map(([items, m]) => ({ value: [...items, m.value], what: m.what }));
    return fc.oneof(withBad, whole);
  }
  return whole;
}

// ---------------------------------------------------------------------------------------------------- encodings

/** In `u` mode a surrogate pair is one code point, so this matches only the halves that stand alone. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** UTF-8 of a JavaScript string, except that a lone surrogate becomes its (invalid) three-byte form, as WTF-8 has it. */
export function wtf8(text: string): Uint8Array {
  if (!LONE_SURROGATE.test(text)) return new TextEncoder().encode(text);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out.push(...new TextEncoder().encode(text.slice(i, i + 2)));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out.push(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f));
    } else {
      out.push(...new TextEncoder().encode(text[i]));
    }
  }
  return Uint8Array.from(out);
}

/** A value as a URL component: `encodeURIComponent`, but lone surrogates are sent (as WTF-8) instead of throwing. */
function urlComponent(value: unknown): string {
  if (value instanceof Raw) return value.text;
  const text = wireText(value);
  if (!LONE_SURROGATE.test(text)) return encodeURIComponent(text);
  let out = '';
  for (const byte of wtf8(text)) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.!~*'()]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** How a scalar travels in a query string or a form field. */
function wireText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `key=value&…`, arrays as repeated keys, absent values left out. */
export function formText(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) parts.push(`${urlComponent(key)}=${urlComponent(item)}`);
  }
  return parts.join('&');
}

/** JSON text in which {@link Raw} values are written as they are (numbers JavaScript would round). */
export function jsonText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const BOUNDARY = '----cims-fuzz-boundary-7MA4YWxkTrZu0gW';

/** The first bytes of files of each kind; what follows does not matter to a type check by content. */
const MAGIC: Record<string, number[]> = {
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52],
  'image/jpeg': [0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0],
  'image/gif': [...new TextEncoder().encode('GIF89a'), 1, 0, 1, 0],
  'audio/mpeg': [...new TextEncoder().encode('ID3'), 4, 0, 0, 0, 0, 0, 0],
  'audio/ogg': [...new TextEncoder().encode('OggS'), 0, 2, 0, 0, 0, 0, 0, 0, 0, 0],
  'audio/wav': [...new TextEncoder().encode('RIFF'), 36, 0, 0, 0, ...new TextEncoder().encode('WAVEfmt ')],
};

export interface FilePartValue {
  field: string;
  filename: string;
  type: string;
  content: Uint8Array;
}

/** A `multipart/form-data` body, byte by byte, so it can carry what `FormData` would clean up (lone surrogates). */
export function multipartBytes(
  fields: Record<string, unknown>,
  files: FilePartValue[],
  boundary = BOUNDARY,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  const text = (s: string) => chunks.push(wtf8(s));
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      text(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n`);
      text(wireText(item));
      text('\r\n');
    }
  }
  for (const file of files) {
    text(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
        `Content-Type: ${file.type}\r\n\r\n`,
    );
    chunks.push(file.content);
    text('\r\n');
  }
  text(`--${boundary}--\r\n`);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function fileArb(field: string, part: FilePart): fc.Arbitrary<FilePartValue> {
  const good = part.mediaTypes.filter((type) => MAGIC[type]);
  const goodFile = fc.constantFrom(...(good.length > 0 ? good : part.mediaTypes)).map((type) => ({
    field,
    filename: `fuzz.${type.split('/')[1]}`,
    type,
    content: Uint8Array.from([...(MAGIC[type] ?? []), ...new Array(64).fill(0)]),
  }));
  const badFile = fc
    .record({
      type: fc.constantFrom(...part.mediaTypes, 'text/plain', 'application/octet-stream', 'image/svg+xml'),
      content: fc.oneof(
        fc.constant(new Uint8Array(0)),
        fc.uint8Array({ maxLength: 200 }),
        fc.constant(new TextEncoder().encode('<svg onload="alert(1)"/>')),
      ),
      filename: fc.constantFrom('a.txt', '../../etc/passwd', 'x\u0000.png', 'é\ud800.mp3', ''),
    })
    .map((f) => ({ field, ...f }));
  return fc.oneof({ weight: 2, arbitrary: goodFile }, { weight: 1, arbitrary: badFile });
}

// ---------------------------------------------------------------------------------------------------- requests

interface Parts {
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  mutation: string;
}

/** The text fields of a multipart body schema (`union[FormData, fields & files]`). */
function multipartFields(body: ZodTypeAny): ZodTypeAny {
  const def = defOf(body);
  if (def.typeName !== 'ZodUnion') return body;
  const withFields = (def.options as ZodTypeAny[]).find((o) => defOf(o).typeName === 'ZodIntersection');
  return withFields ? (defOf(withFields).left as ZodTypeAny) : body;
}

function pathArb(route: AppRoute, world: FuzzWorld, mutate: boolean): fc.Arbitrary<{ path: string; what?: string }> {
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  if (names.length === 0) return fc.constant({ path: route.path });
  const shape = route.pathParams ? (objectShape(route.pathParams as ZodTypeAny) ?? {}) : {};
  const protectedIds = new Set(world.protectedIds(route));
  const validParam = (name: string): fc.Arbitrary<unknown> => {
    const schema = shape[name];
    if (!schema) return fc.string({ minLength: 1, maxLength: 20 });
    if (defOf(unwrap(schema)).typeName === 'ZodNumber') {
      return fc
        .oneof(fc.constantFrom(...(world.knownIds.length > 0 ? world.knownIds : [1])), valid(schema))
        .filter((id) => !protectedIds.has(Number(id)));
    }
    return valid(schema).filter((v) => String(v).length > 0);
  };
  const validPath = fc.tuple(...names.map(validParam));
  const build = (values: unknown[]) =>
    names.reduce((path, name, i) => path.replace(`:${name}`, urlComponent(values[i])), route.path);
  if (!mutate) return validPath.map((values) => ({ path: build(values) }));
  return fc
    .tuple(validPath, fc.nat({ max: names.length - 1 }), hostileLeaf('url'))
    .filter(([, , bad]) => wireText(bad).length > 0 && wireText(bad).length < 8_000)
    .map(([values, i, bad]) => {
      const copy = [...values];
      copy[i] = bad;
      return { path: build(copy), what: `path.${names[i]}: hostile` };
    });
}

function queryArb(route: AppRoute, mutate: boolean): fc.Arbitrary<{ query: string; what?: string }> {
  const schema = route.query as ZodTypeAny | undefined;
  if (!schema) {
    if (!mutate) return fc.constant({ query: '' });
    return hostileLeaf('url').map((v) => ({
      query: formText({ unexpected: v }),
      what: 'query.unexpected: extra field',
    }));
  }
  if (!mutate) return valid(schema).map((v) => ({ query: formText(v as Record<string, unknown>) }));
  return mutated(schema, 'url', 'query').map((m) => ({
    query:
      m.value !== null && typeof m.value === 'object'
        ? formText(m.value as Record<string, unknown>)
        : urlComponent(m.value),
    what: m.what,
  }));
}

const isNoBody = (route: AppRoute) => 'body' in route && typeof route.body === 'symbol';

function bodyArb(route: AppRoute, mutate: 'none' | 'value' | 'media'): fc.Arbitrary<Omit<Parts, 'path' | 'query'>> {
  if (route.method === 'GET' || !('body' in route)) return fc.constant({ headers: {}, mutation: 'valid' });
  if (isNoBody(route)) {
    if (mutate === 'none') return fc.constant({ headers: {}, mutation: 'valid' });
    return fc.constantFrom(
      { headers: { 'content-type': 'application/json' }, body: '{"x":1}', mutation: 'body: unexpected JSON' },
      { headers: { 'content-type': 'text/plain' }, body: '\u0000', mutation: 'body: unexpected text' },
    );
  }
  const contentType = route.contentType ?? 'application/json';
  const schema =
    contentType === 'multipart/form-data' ? multipartFields(route.body as ZodTypeAny) : (route.body as ZodTypeAny);
  const files = Object.entries(routeMeta(route).files ?? {});
  const encode = (
    value: unknown,
    fileParts: FilePartValue[],
    as: string,
  ): { headers: Record<string, string>; body: string | Uint8Array } => {
    if (as === 'application/json') return { headers: { 'content-type': as }, body: jsonText(value) };
    const fields =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : { value };
    if (as === 'application/x-www-form-urlencoded') return { headers: { 'content-type': as }, body: formText(fields) };
    return {
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: multipartBytes(fields, fileParts),
    };
  };
  // Multipart routes take URL-encoded forms too, when there is no file.
  const encodings =
    contentType === 'multipart/form-data'
      ? [contentType, contentType, 'application/x-www-form-urlencoded']
      : [contentType];
  const fileParts: fc.Arbitrary<FilePartValue[]> =
    files.length === 0
      ? fc.constant([])
      : fc
          .tuple(
            ...files.map(([field, part]) =>
              part.required
                ? fileArb(field, part).map((f) => [f])
                : fc.option(fileArb(field, part), { nil: undefined }).map((f) => (f ? [f] : [])),
            ),
          )
          .map((lists) => lists.flat());
  const place: Place =
    contentType === 'application/json' ? 'json' : contentType === 'multipart/form-data' ? 'multipart' : 'url';
  const value = mutate === 'value' ? mutated(schema, place) : valid(schema).map((v) => ({ value: v, what: 'valid' }));
  if (mutate !== 'media') {
    return fc.tuple(value, fc.constantFrom(...encodings), fileParts).map(([m, as, parts]) => ({
      ...encode(m.value, as === 'multipart/form-data' ? parts : [], as),
      mutation: mutate === 'value' ? `body.${m.what}` : 'valid',
    }));
  }
  const wrong = [
    'text/plain',
    'application/xml',
    'application/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'application/json; charset=utf-16',
    'application/json; charset=koi8-r',
    'application/x-www-form-urlencoded; charset=latin1',
  ];
  return fc
    .tuple(valid(schema), fc.constantFrom(...wrong), fc.nat({ max: 5 }), fileParts)
    .map(([v, type, variant, parts]) => {
      const base = { mutation: `media: ${type}` };
      if (type === 'multipart/form-data') {
        // No boundary, a boundary that never appears, or a body cut short.
        const bytes = multipartBytes(v as Record<string, unknown>, parts);
        if (variant === 0) return { ...base, headers: { 'content-type': type }, body: bytes };
        if (variant === 1) return { ...base, headers: { 'content-type': `${type}; boundary=nope` }, body: bytes };
        return {
          ...base,
          mutation: 'media: multipart cut short',
          headers: { 'content-type': `${type}; boundary=${BOUNDARY}` },
          body: bytes.slice(0, Math.floor(bytes.length / 2)),
        };
      }
      if (type === 'application/json' && variant < 3) {
        return {
          ...base,
          mutation: 'media: malformed JSON',
          headers: { 'content-type': type },
          body: ['{"a":', '{"a":1}}', "{'a':1}"][variant] as string,
        };
      }
      if (type.startsWith('application/json') || type === 'text/plain' || type === 'application/xml') {
        return { ...base, headers: { 'content-type': type }, body: jsonText(v) };
      }
      return { ...base, headers: { 'content-type': type }, body: formText((v ?? {}) as Record<string, unknown>) };
    });
}

function callersOf(route: AppRoute): Caller[] {
  switch (routeMeta(route).auth) {
    case 'public':
      return ['anonymous', 'anonymous', 'ceo'];
    case 'apiKey':
      return ['api-key', 'api-key', 'api-key', 'api-key', 'bad-api-key', 'anonymous'];
    case 'bearer':
    case 'signedUrl':
      // Mostly callers who get past the access check, so that the hostile values reach the handlers.
      return ['ceo', 'ceo', 'ceo', 'ceo', 'sales', 'sales', 'user', 'anonymous', 'bad-token'];
  }
}

/** How many values a caller controls on a route (path parameters, query and body fields, file parts): its share. */
export function inputCount(route: AppRoute): number {
  const fields = (schema: unknown) => (schema ? Object.keys(objectShape(schema as ZodTypeAny) ?? {}).length : 0);
  const body = 'body' in route && typeof route.body !== 'symbol' ? route.body : undefined;
  const multipart = 'contentType' in route && route.contentType === 'multipart/form-data';
  return (
    [...route.path.matchAll(/:\w+/g)].length +
    fields(route.query) +
    (body ? Math.max(1, fields(multipart ? multipartFields(body as ZodTypeAny) : body)) : 0) +
    Object.keys(routeMeta(route).files ?? {}).length
  );
}

/**
 * Requests for one route: about a third valid, the rest with one thing wrong (path, query, body value, media type).
 *
 * @example
 * fc.sample(requestArb(entry, world), { seed: 42, numRuns: 30 })
 */
export function requestArb(
  entry: ContractRoute,
  world: FuzzWorld,
  options: { validOnly?: boolean } = {},
): fc.Arbitrary<FuzzRequest> {
  const route = entry.route;
  const hasPathParams = route.path.includes(':');
  const hasBody = route.method !== 'GET' && 'body' in route;
  const targets = [
    { weight: 5, name: 'none' },
    { weight: hasPathParams ? 3 : 0, name: 'path' },
    { weight: route.query ? 4 : 1, name: 'query' },
    { weight: hasBody && !isNoBody(route) ? 6 : 0, name: 'body' },
    { weight: hasBody ? 2 : 0, name: 'media' },
  ].filter((target) => target.weight > 0 && (!options.validOnly || target.name === 'none'));
  const forTarget = (target: string) =>
    fc
      .tuple(
        pathArb(route, world, target === 'path'),
        queryArb(route, target === 'query'),
        bodyArb(route, target === 'body' ? 'value' : target === 'media' ? 'media' : 'none'),
        fc.constantFrom(...callersOf(route).filter((as) => !options.validOnly || as === 'ceo' || as === 'api-key')),
      )
      .map(([path, query, body, as]) => ({
        route: entry.name,
        as,
        method: route.method,
        url: query.query ? `${path.path}?${query.query}` : path.path,
        headers: body.headers,
        body: body.body,
        mutation: path.what ?? query.what ?? (body.mutation === 'valid' ? 'valid' : body.mutation),
      }));
  return fc.oneof(...targets.map((t) => ({ weight: t.weight, arbitrary: forTarget(t.name) })));
}

/** A request as text for a failure report: huge values shortened, bytes shown as a string. */
export function describeRequest(req: FuzzRequest): string {
  const body =
    req.body === undefined
      ? undefined
      : typeof req.body === 'string'
        ? req.body
        : new TextDecoder('utf-8', { fatal: false }).decode(req.body);
  const shorten = (s: string) => (s.length > 400 ? `${s.slice(0, 300)}… (${s.length} characters)` : s);
  return JSON.stringify(
    {
      as: req.as,
      mutation: req.mutation,
      method: req.method,
      url: shorten(req.url),
      headers: req.headers,
      body: body === undefined ? undefined : shorten(body),
    },
    null,
    2,
  );
}
