import type { AppRoute } from '@ts-rest/core';
import { _, Ajv, type ValidateFunction } from 'ajv';
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

/** What ts-rest checks a response body with: it only calls `safeParse` (ts-rest's `checkZodSchema`). */
interface ResponseSchema {
  safeParse(data: unknown): { success: true; data: unknown } | { success: false; error: z.ZodError };
}

const K = z.ZodFirstPartyTypeKind;

/**
 * Whether a zod schema's output is its input, unchanged, whenever the input carries no key the schema does not name —
 * and whether its JSON Schema accepts nothing that zod refuses (it may refuse more: Infinity, say, which zod then
 * decides on). Only such schemas get the compiled fast path; everything else (transforms, defaults, dates, unions of
 * objects, string lengths counted differently, …) is parsed by zod alone.
 */
function isPlain(schema: z.ZodTypeAny, { asProperty = false } = {}): boolean {
  const def = schema._def as z.ZodTypeDef & { typeName: z.ZodFirstPartyTypeKind };
  switch (def.typeName) {
    case K.ZodString:
      // Only patterns without flags: zod tests the RegExp, ajv the same source without flags (`unicodeRegExp: false`).
      // Lengths are not here: zod counts UTF-16 code units, ajv code points.
      return (schema as z.ZodString)._def.checks.every((check) => check.kind === 'regex' && check.regex.flags === '');
    case K.ZodNumber:
      // NaN fails both; Infinity fails ajv only, and then zod decides.
      return (schema as z.ZodNumber)._def.checks.every((check) => ['int', 'min', 'max', 'finite'].includes(check.kind));
    case K.ZodBoolean:
    case K.ZodNull:
    case K.ZodEnum:
    case K.ZodAny:
    case K.ZodUnknown:
      return true;
    case K.ZodLiteral:
      return ['string', 'number', 'boolean'].includes(typeof (schema as z.ZodLiteral<unknown>).value);
    case K.ZodNullable:
      return isPlain((schema as z.ZodNullable<z.ZodTypeAny>).unwrap());
    case K.ZodOptional:
      // An absent key is the same to both; an optional value anywhere else is not JSON.
      return asProperty && isPlain((schema as z.ZodOptional<z.ZodTypeAny>).unwrap());
    case K.ZodArray:
      return isPlain((schema as z.ZodArray<z.ZodTypeAny>).element);
    case K.ZodObject: {
      const object = schema as z.AnyZodObject;
      const { catchall, unknownKeys } = object._def;
      // Other keys: stripped (the fast path refuses them), refused, or parsed by the catchall (and kept).
      const others = catchall._def.typeName === K.ZodNever ? unknownKeys !== 'passthrough' : isPlain(catchall);
      return (
        others && Object.values(object.shape).every((value) => isPlain(value as z.ZodTypeAny, { asProperty: true }))
      );
    }
    case K.ZodRecord: {
      const record = schema as z.ZodRecord;
      return (
        record.keySchema._def.typeName === K.ZodString &&
        (record.keySchema as z.ZodString)._def.checks.length === 0 &&
        isPlain(record.valueSchema)
      );
    }
    case K.ZodUnion:
      // zod keeps the first option that parses, stripped; with objects that may not be the one ajv matched.
      return (schema as z.ZodUnion<[z.ZodTypeAny, ...z.ZodTypeAny[]]>).options.every(
        (option) => isPlain(option) && !hasObject(option),
      );
    default:
      return false;
  }
}

function hasObject(schema: z.ZodTypeAny): boolean {
  const name = (schema._def as { typeName: z.ZodFirstPartyTypeKind }).typeName;
  if (name === K.ZodObject || name === K.ZodRecord || name === K.ZodArray) return true;
  if (name === K.ZodNullable) return hasObject((schema as z.ZodNullable<z.ZodTypeAny>).unwrap());
  if (name === K.ZodUnion) return (schema as z.ZodUnion<[z.ZodTypeAny]>).options.some(hasObject);
  return false;
}

const ajv = new Ajv({
  // The fast path only answers "exactly as declared"; any doubt goes to zod, which reports the issues.
  allErrors: false,
  unicodeRegExp: false,
  // The schemas are written by zod-to-json-schema (descriptions, union types), not by hand: nothing to warn about.
  strict: false,
  // …but numbers stay strict (NaN and Infinity are not numbers), which `strict: false` would turn off.
  strictNumbers: true,
  // Nor to check against the JSON Schema meta-schema: compiling that took as long as the first route's own check,
  // and the first answer (the readiness probe's, at start) paid for it.
  validateSchema: false,
});

/**
 * Added to every object and record: the fast path passes only a plain object on (an object literal) with no own
 * `__proto__` key. Anything else is copied by zod, which reads declared keys through getters and the prototype chain,
 * never copies `__proto__`, and sees a Date, Map or Set as another type — whereas the object itself, sent as it is,
 * would be written by `JSON.stringify` (own enumerable keys only, or its `toJSON`).
 */
const PLAIN_OBJECT = 'x-plain-object';
ajv.addKeyword({
  keyword: PLAIN_OBJECT,
  type: 'object',
  schemaType: 'boolean',
  code(cxt) {
    const { data } = cxt;
    cxt.fail(
      _`Object.getPrototypeOf(${data}) !== Object.prototype || Object.prototype.hasOwnProperty.call(${data}, "__proto__")`,
    );
  },
});

function compile(schema: z.ZodTypeAny): ValidateFunction {
  const json = zodToJsonSchema(schema, {
    target: 'jsonSchema7',
    $refStrategy: 'none',
    // (The default, named for what it does here.) An object whose unknown keys zod strips gets `additionalProperties:
    // false`, so the fast path refuses any key the contract does not name and leaves it to zod to strip.
    removeAdditionalStrategy: 'passthrough',
    postProcess: (jsonSchema, def) => {
      const name = (def as { typeName?: z.ZodFirstPartyTypeKind }).typeName;
      return jsonSchema && (name === K.ZodObject || name === K.ZodRecord)
        ? { ...jsonSchema, [PLAIN_OBJECT]: true }
        : jsonSchema;
    },
  }) as Record<string, unknown>;
  const { $schema: _dialect, ...root } = json;
  return ajv.compile(root);
}

/**
 * The response schema ts-rest checks a body with. For a schema whose zod output equals its input (see {@link isPlain}),
 * a validator compiled once with ajv answers first: a body that is exactly as declared is passed on as it is — no
 * copy, and about ten times faster than zod for a page of customers. Anything else, a key the contract does not name
 * included, is parsed by zod as before, so the outcome is always zod's: unknown keys stripped, a drifting handler
 * failing with zod's issues.
 */
export function fastResponseSchema(schema: z.ZodTypeAny): ResponseSchema {
  let checked = decided.get(schema);
  if (!checked) {
    checked = isPlain(schema) ? compiledCheck(schema) : schema;
    decided.set(schema, checked);
  }
  return checked;
}

/** Each schema is looked at (and compiled) once per process, however many servers (tests) or routes use it. */
const decided = new WeakMap<z.ZodTypeAny, ResponseSchema>();

function compiledCheck(schema: z.ZodTypeAny): ResponseSchema {
  // Compiled at the first response, not when the routes are built: compiling every route's schemas up front took
  // about a tenth of a cold start, and most instances answer only a few of the routes soon after starting.
  let validate: ValidateFunction | undefined;
  return {
    safeParse(data) {
      validate ??= compile(schema);
      return validate(data) ? { success: true, data } : schema.safeParse(data);
    },
  };
}

/** A route whose zod response schemas are replaced by {@link fastResponseSchema}s (files and `noBody` stay as they are). */
export function withFastResponses(route: AppRoute): AppRoute {
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, schema]) => [
      status,
      schema instanceof z.ZodType ? fastResponseSchema(schema) : schema,
    ]),
  );
  return { ...route, responses } as AppRoute;
}
