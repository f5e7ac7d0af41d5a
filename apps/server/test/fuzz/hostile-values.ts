import fc from 'fast-check';
import type { ZodTypeAny } from 'zod';
import { type Check, defOf, objectShape, unwrap, valid } from './valid-values.js';
import { Raw } from './wire.js';

/**
 * Bad input: values a database rejects or mangles, days that do not exist, numbers beyond int64, bad `%` escapes, and a
 * schema's value with exactly one thing wrong (see generate.ts).
 */

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

/** Where a value travels: some hostile values only mean something in a URL or a form. */
export type Place = 'json' | 'url' | 'multipart';

/** A value no field should take, chosen among those that can travel in `place`. */
export function hostileLeaf(place: Place): fc.Arbitrary<unknown> {
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
