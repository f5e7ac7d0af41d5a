import fc from 'fast-check';
import type { ZodTypeAny } from 'zod';
import { Raw } from './wire.js';

/** Values a route's zod schema accepts, generated from the schema itself (see generate.ts). */

/** A zod schema's internal definition, read by its `typeName`. */
type Def = Record<string, unknown> & { typeName: string };
/** The schema's definition, which says what kind of schema it is and its checks. */
export const defOf = (schema: ZodTypeAny) => schema._def as Def;

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

/** One check of a zod string or number (`min`, `max`, `regex`, …) as its definition holds it. */
export interface Check {
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
export function unwrap(schema: ZodTypeAny): ZodTypeAny {
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
