import { type AppRoute, type AppRouter, isZodType } from '@ts-rest/core';
import {
  type OpenAPIObject,
  OpenApiBuilder,
  type OperationObject,
  type ParameterObject,
  type ReferenceObject,
  type RequestBodyObject,
  type ResponseObject,
  type SchemaObject,
  type SecurityRequirementObject,
} from 'openapi3-ts/oas31';
import { z } from 'zod';
import { ignoreOverride, zodToJsonSchema } from 'zod-to-json-schema';
import { ApiErrorSchema, ValidationErrorSchema, ValidationIssueSchema } from '../errors/error.schemas.js';
import { ERROR_CODES, ERROR_STATUS, type ErrorStatus } from '../errors/error-codes.js';
import { type RouteAuth, routeMeta, takesBody } from '../shared/route-meta.js';
import { listRoutes } from '../shared/routes.js';
import { TIMESTAMP_PATTERN } from '../shared/shared.schemas.js';

/** Options of {@link buildOpenApiDocument}. */
export interface BuildOpenApiOptions {
  title: string;
  version: string;
  description: string;
  /** Shared schemas published as named components (`#/components/schemas/<name>`), by name. */
  components: Record<string, z.ZodTypeAny>;
  /** A description for each tag (the contract's top-level routers). */
  tags: Record<string, string>;
  /**
   * The path of the OAuth2 password-grant token endpoint (`application/x-www-form-urlencoded` with `grant_type`,
   * `username` and `password`), published as the `oauth2Password` security scheme so that API explorers such as
   * Swagger UI can sign in from their Authorize dialog. Every bearer route accepts its token.
   */
  tokenUrl?: string;
}

const REF_PREFIX = '#/components/schemas/';
const RESPONSE_PREFIX = '#/components/responses/';

/** The name of the shared response of an error status: `#/components/responses/<name>`. */
const ERROR_RESPONSE_NAMES: Record<ErrorStatus, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  416: 'RangeNotSatisfiable',
  422: 'ValidationFailed',
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
};

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'The request body could not be read (for example malformed JSON).',
  401: 'Credentials are missing, malformed, expired or revoked.',
  403: 'The caller is authenticated but not allowed to do this.',
  404: 'No such route or resource.',
  405: 'The path exists but not with this method; `Allow` lists the methods.',
  409: 'The request conflicts with the current state.',
  413: 'The request body is larger than allowed.',
  415: 'The request body is not in a media type this route accepts.',
  416: 'The requested `Range` lies outside the file.',
  422: 'Some values of the request are invalid; `detail` lists each, FastAPI-style.',
  429: 'Too many requests; retry after the time in `Retry-After`.',
  500: 'An unexpected server error; nothing was changed and the details are in the server log under the request id.',
  502: 'A service this API depends on failed after retries; retry later.',
  503:
    'A dependency is unavailable (`DATABASE_UNAVAILABLE`: the database; `STORAGE_UNAVAILABLE`: the object store, on ' +
    'routes that store or serve files); nothing was changed; retry after the seconds in `Retry-After`.',
};

function errorExample(status: ErrorStatus): unknown {
  if (status === 422) {
    return { detail: [{ loc: ['body', 'email'], msg: 'Field required', type: 'missing' }], code: 'VALIDATION_FAILED' };
  }
  const code = ERROR_CODES.find((c) => ERROR_STATUS[c] === status) ?? 'INTERNAL';
  const detail = ERROR_DESCRIPTIONS[status].split(/[;(.]/)[0]?.trim() ?? code;
  return { detail, code };
}

/** `TimestampSchema` and its derivatives: a string checked by zod's date-time pattern (compiled once). */
function isTimestamp(def: z.ZodTypeDef): boolean {
  return (
    (def as z.ZodStringDef).typeName === z.ZodFirstPartyTypeKind.ZodString &&
    (def as z.ZodStringDef).checks.some((check) => check.kind === 'regex' && check.regex === TIMESTAMP_PATTERN)
  );
}

/**
 * Converts zod to JSON Schema 2020-12 (the dialect of OpenAPI 3.1). A named shared schema anywhere below the root
 * becomes a `$ref` to its component; nothing else becomes a reference, so no `$ref` can point into a throw-away
 * document.
 */
class SchemaConverter {
  readonly #named: Map<unknown, string>;

  constructor(components: Record<string, z.ZodTypeAny>) {
    this.#named = new Map(Object.entries(components).map(([name, schema]) => [schema._def, name]));
  }

  convert(schema: z.ZodTypeAny, { asComponent = false } = {}): SchemaObject {
    const self = this.#named.get(schema._def);
    if (self && !asComponent) return { $ref: `${REF_PREFIX}${self}` };
    const raw = zodToJsonSchema(schema, {
      target: 'jsonSchema7',
      $refStrategy: 'none',
      effectStrategy: 'input',
      // Unknown keys are ignored on input and may be added to output in later versions: say nothing about them.
      allowedAdditionalProperties: undefined,
      rejectedAdditionalProperties: undefined,
      override: (def, refs) => {
        const name = this.#named.get(def);
        const atRoot = refs.currentPath.length <= 1;
        if (name && !atRoot) return { $ref: `${REF_PREFIX}${name}` };
        if (!isTimestamp(def)) return ignoreOverride;
        return { type: 'string', format: 'date-time', ...(def.description ? { description: def.description } : {}) };
      },
    }) as Record<string, unknown>;
    const { $schema: _drop, ...root } = raw;
    return root as SchemaObject;
  }
}

function pathParameters(route: AppRoute, converter: SchemaConverter): ParameterObject[] {
  const names = [...route.path.matchAll(/:(\w+)\??/g)].map((m) => m[1] as string);
  const shape = isZodType(route.pathParams) ? (route.pathParams as z.AnyZodObject).shape : {};
  return names.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: shape[name] ? converter.convert(shape[name]) : { type: 'string' },
  }));
}

function queryParameters(route: AppRoute, converter: SchemaConverter): ParameterObject[] {
  // A query with rules across its fields (`superRefine`) is still an object of parameters underneath.
  let query = route.query as unknown;
  while (query instanceof z.ZodEffects) query = query.innerType();
  if (!(query instanceof z.ZodObject)) return [];
  return Object.entries(query.shape as Record<string, z.ZodTypeAny>).map(([name, schema]) => {
    // Optionality is the parameter's `required`; the schema describes a present value.
    const present = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodTypeAny) : schema;
    const converted = converter.convert(present);
    if (!converted.description && schema.description) converted.description = schema.description;
    const { description, ...rest } = converted;
    return {
      name,
      in: 'query',
      required: !schema.isOptional(),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function requestBody(route: AppRoute, converter: SchemaConverter): RequestBodyObject | undefined {
  // `c.noBody()`: the route reads no body, so the document declares none.
  if (!takesBody(route)) return undefined;
  const meta = routeMeta(route);
  const contentType = route.contentType ?? 'application/json';
  // A multipart body is `FormData | (fields & files)` (see multipartBody): describe the fields.
  const variant = route.body instanceof z.ZodUnion ? (route.body.options as z.ZodTypeAny[])[1] : route.body;
  const body = variant instanceof z.ZodIntersection ? (variant._def.left as z.ZodTypeAny) : variant;
  const textSchema: SchemaObject = isZodType(body) ? converter.convert(body as z.ZodTypeAny) : { type: 'object' };
  if (contentType !== 'multipart/form-data') {
    return { required: true, content: { [contentType]: { schema: textSchema } } };
  }
  // A multipart body: the text parts from the zod body, the file parts from the route's metadata.
  const properties: Record<string, SchemaObject> = {
    ...((textSchema.properties as Record<string, SchemaObject>) ?? {}),
  };
  const required = [...((textSchema.required as string[]) ?? [])];
  const encoding: Record<string, { contentType: string }> = {};
  for (const [name, file] of Object.entries(meta.files ?? {})) {
    // `contentMediaType` is how OpenAPI 3.1 says "bytes"; `format: binary` (its 3.0 spelling, still allowed as an
    // annotation) is what orval and Hey API read to type a file part as `Blob`.
    properties[name] = {
      type: 'string',
      format: 'binary',
      contentMediaType: 'application/octet-stream',
      description: `${file.description} At most ${file.maxBytes} bytes; ${file.mediaTypes.join(', ')}.`,
    };
    encoding[name] = { contentType: file.mediaTypes.join(', ') };
    if (file.required) required.push(name);
  }
  const schema: SchemaObject = {
    type: 'object',
    ...(textSchema.description ? { description: textSchema.description } : {}),
    properties,
    ...(required.length ? { required } : {}),
  };
  // Only multipart is declared, the one encoding that carries a file: a generator offered a second media type may pick
  // it and send the file where it cannot go. (The server still reads the text fields URL-encoded, for the legacy
  // client's forms without a file.)
  return {
    required: true,
    content: { 'multipart/form-data': { schema, ...(Object.keys(encoding).length ? { encoding } : {}) } },
  };
}

/** The shared response of an error status, for `components/responses`. */
function errorResponse(status: ErrorStatus, converter: SchemaConverter): ResponseObject {
  const schema = status === 422 ? ValidationErrorSchema : ApiErrorSchema;
  return {
    description: ERROR_DESCRIPTIONS[status],
    headers: { 'X-Request-ID': { $ref: '#/components/headers/XRequestId' } },
    content: { 'application/json': { schema: converter.convert(schema), example: errorExample(status) } },
  };
}

function responses(route: AppRoute, converter: SchemaConverter): Record<string, ResponseObject | ReferenceObject> {
  const out: Record<string, ResponseObject | ReferenceObject> = {};
  const headers = { 'X-Request-ID': { $ref: '#/components/headers/XRequestId' } };
  for (const [statusText, schema] of Object.entries(route.responses)) {
    const status = Number(statusText);
    const isError = schema === ApiErrorSchema || schema === ValidationErrorSchema;
    if (isOtherResponse(schema)) {
      // A file: the bytes in the declared media type.
      out[statusText] = {
        description: status === 206 ? 'Part of the file, as asked for by `Range`.' : (route.summary ?? 'Success.'),
        headers,
        content: { [schema.contentType]: { schema: { type: 'string', contentMediaType: schema.contentType } } },
      };
      continue;
    }
    if (!isZodType(schema)) {
      out[statusText] = { description: route.summary ?? 'Success.', headers };
      continue;
    }
    if (isError && status in ERROR_RESPONSE_NAMES && (schema === ValidationErrorSchema) === (status === 422)) {
      // The same answer on every route: one shared response.
      out[statusText] = { $ref: `${RESPONSE_PREFIX}${ERROR_RESPONSE_NAMES[status as ErrorStatus]}` };
      continue;
    }
    const zod = schema as z.ZodTypeAny;
    const description = isError
      ? (ERROR_DESCRIPTIONS[status as ErrorStatus] ?? 'An error.')
      : (zod.description ?? route.summary ?? 'Success.');
    out[statusText] = {
      description,
      headers,
      content: {
        'application/json': {
          schema: converter.convert(zod),
          ...(isError ? { example: errorExample(status as ErrorStatus) } : {}),
        },
      },
    };
  }
  return out;
}

function security(auth: RouteAuth, oauth2: boolean): SecurityRequirementObject[] {
  // The OAuth2 password scheme gives the same bearer token: either one authorizes a bearer route.
  const bearer: SecurityRequirementObject[] = [{ bearerAuth: [] }, ...(oauth2 ? [{ oauth2Password: [] }] : [])];
  switch (auth) {
    case 'public':
      return [];
    case 'bearer':
      return bearer;
    case 'apiKey':
      return [{ intakeKey: [] }];
    case 'signedUrl':
      // A bearer token, or none: the signature in the query (`expires`, `sig`) then authorizes the request.
      return [...bearer, {}];
  }
}

function isOtherResponse(value: unknown): value is { contentType: string; body: unknown } {
  return typeof value === 'object' && value !== null && 'contentType' in value && 'body' in value && !isZodType(value);
}

/**
 * Builds the OpenAPI 3.1 document of a contract: one operation per route with its `operationId` (the route's key
 * path in camelCase), summary, tag (the top-level router), security, parameters, request body and every declared
 * response. Deterministic: the same contract gives byte-identical output.
 */
export function buildOpenApiDocument(contract: AppRouter, options: BuildOpenApiOptions): OpenAPIObject {
  const components = {
    ApiError: ApiErrorSchema,
    ValidationError: ValidationErrorSchema,
    ValidationIssue: ValidationIssueSchema,
    ...options.components,
  };
  const converter = new SchemaConverter(components);
  const builder = OpenApiBuilder.create()
    .addOpenApiVersion('3.1.0')
    .addTitle(options.title)
    .addVersion(options.version)
    .addDescription(options.description)
    .addLicense({ name: 'Proprietary', identifier: 'LicenseRef-Proprietary' })
    .addServer({ url: '/', description: 'The server this document is served from' })
    .addSecurityScheme('bearerAuth', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An access token from `POST /auth/login` or `POST /auth/refresh`.',
    })
    .addHeader('XRequestId', {
      description: 'The request id: the one sent in `X-Request-ID`, or a new one. Quote it when reporting a problem.',
      schema: { type: 'string' },
    });
  if (options.tokenUrl !== undefined) {
    builder.addSecurityScheme('oauth2Password', {
      type: 'oauth2',
      description: `Sign in with an e-mail address and password (the OAuth2 password grant of \`POST ${options.tokenUrl}\`).`,
      flows: { password: { tokenUrl: options.tokenUrl, scopes: {} } },
    });
  }
  for (const [name, schema] of Object.entries(components).sort(([a], [b]) => a.localeCompare(b))) {
    builder.addSchema(name, converter.convert(schema, { asComponent: true }));
  }
  for (const [name, description] of Object.entries(options.tags)) builder.addTag({ name, description });
  const routes = listRoutes(contract);
  if (routes.some(({ route }) => routeMeta(route).auth === 'apiKey')) {
    builder.addSecurityScheme('intakeKey', {
      type: 'apiKey',
      in: 'header',
      name: 'X-Key',
      description: 'The external lead-intake key (`CRM_CUSTOMER_API_KEY`).',
    });
  }
  const used = new Set(
    routes.flatMap(({ route }) =>
      Object.entries(route.responses)
        .filter(([, schema]) => schema === ApiErrorSchema || schema === ValidationErrorSchema)
        .map(([status]) => Number(status) as ErrorStatus),
    ),
  );
  for (const status of [...used].sort((a, b) => a - b)) {
    builder.addResponse(ERROR_RESPONSE_NAMES[status], errorResponse(status, converter));
  }
  const doc = builder.getSpec();
  // The builder starts every components section empty; keep only the ones in use.
  doc.components = Object.fromEntries(
    Object.entries(doc.components ?? {}).filter(([, section]) => Object.keys(section ?? {}).length > 0),
  );
  doc.security = [{ bearerAuth: [] }];
  doc.paths = {};
  for (const { keys, name, route } of routes) {
    const meta = routeMeta(route);
    const path = route.path.replace(/:(\w+)\??/g, '{$1}');
    const parameters = [...pathParameters(route, converter), ...queryParameters(route, converter)];
    const body = requestBody(route, converter);
    const operation: OperationObject = {
      operationId: name,
      summary: route.summary ?? name,
      ...(meta.description ? { description: meta.description } : {}),
      ...(meta.roles ? { 'x-roles': [...meta.roles] } : {}),
      ...(meta.pages ? { 'x-pages': [...meta.pages] } : {}),
      tags: [keys[0] as string],
      security: security(meta.auth, options.tokenUrl !== undefined),
      ...(parameters.length ? { parameters } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: responses(route, converter),
    };
    doc.paths[path] ??= {};
    (doc.paths[path] as Record<string, OperationObject>)[route.method.toLowerCase()] = operation;
  }
  return doc;
}
