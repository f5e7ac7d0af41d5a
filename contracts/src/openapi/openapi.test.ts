import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contract } from '../contract.js';
import { listRoutes } from '../shared/routes.js';
import { renderOpenApiDocument } from './document.js';

describe('the OpenAPI document', () => {
  const doc = JSON.parse(renderOpenApiDocument());

  it('matches the committed contracts/openapi.json (run `pnpm openapi` when this fails)', () => {
    const committed = readFileSync(fileURLToPath(new URL('../../openapi.json', import.meta.url)), 'utf8');
    expect(committed).toBe(renderOpenApiDocument());
  });

  it('is OpenAPI 3.1 with one operation per contract route, each with an operationId, summary and tag', () => {
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(
      (item) => Object.values(item),
    );
    expect(operations).toHaveLength(listRoutes(contract).length);
    const ids = operations.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of operations) {
      expect(op.summary).toEqual(expect.any(String));
      expect(op.tags).toHaveLength(1);
      for (const response of Object.values(op.responses as Record<string, { description?: string; $ref?: string }>)) {
        const resolved = response.$ref ? doc.components.responses[response.$ref.split('/').at(-1) as string] : response;
        expect(resolved.description).not.toMatch(/^\d+$/);
      }
    }
  });

  it('describes timestamps as date-time strings, nullable ones included', () => {
    const customer = doc.components.schemas.Customer.properties;
    expect(customer.created_at).toEqual({
      type: 'string',
      format: 'date-time',
      description: 'ISO-8601 date-time with an offset.',
    });
    expect(customer.recall_time.anyOf).toEqual([expect.objectContaining({ format: 'date-time' }), { type: 'null' }]);
  });

  it('marks public routes as needing no credentials', () => {
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
  });

  it('publishes the error shapes as named components, each error status once as a shared response', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ApiError', 'ValidationError', 'ValidationIssue']),
    );
    const readyz = doc.paths['/readyz'].get;
    expect(readyz.responses['422']).toEqual({ $ref: '#/components/responses/ValidationFailed' });
    expect(readyz.responses['500']).toEqual({ $ref: '#/components/responses/InternalError' });
    expect(doc.components.responses.ValidationFailed.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ValidationError',
    });
    expect(doc.components.responses.InternalError.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ApiError',
    });
    const inline = Object.values(doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)
      .flatMap((item) => Object.values(item))
      .flatMap((op) => Object.values(op.responses) as { content?: Record<string, { schema: unknown }> }[])
      .filter((response) => {
        const schema = response.content?.['application/json']?.schema as { $ref?: string } | undefined;
        return (
          schema?.$ref === '#/components/schemas/ApiError' || schema?.$ref === '#/components/schemas/ValidationError'
        );
      });
    expect(inline).toEqual([]);
  });

  it('declares no request body on routes without one', () => {
    const routes = listRoutes(contract).filter(({ route }) => 'body' in route && typeof route.body === 'symbol');
    expect(routes.length).toBeGreaterThan(0);
    for (const { route } of routes) {
      const path = route.path.replace(/:(\w+)\??/g, '{$1}');
      expect(doc.paths[path][route.method.toLowerCase()].requestBody, `${route.method} ${path}`).toBeUndefined();
    }
  });

  it('declares only multipart/form-data on the upload routes', () => {
    const uploads = listRoutes(contract).filter(
      ({ route }) => 'contentType' in route && route.contentType === 'multipart/form-data',
    );
    expect(uploads).toHaveLength(5);
    for (const { route } of uploads) {
      const path = route.path.replace(/:(\w+)\??/g, '{$1}');
      const content = doc.paths[path][route.method.toLowerCase()].requestBody.content;
      expect(Object.keys(content), `${route.method} ${path}`).toEqual(['multipart/form-data']);
    }
  });

  it('declares the login as an OAuth2 password grant whose grant_type can only be `password`', () => {
    const form = doc.paths['/auth/login'].post.requestBody.content['application/x-www-form-urlencoded'].schema;
    expect(form.properties.grant_type).toEqual({ type: 'string', enum: ['password'], default: 'password' });
    expect(doc.components.securitySchemes.oauth2Password).toMatchObject({
      type: 'oauth2',
      flows: { password: { tokenUrl: '/auth/login', scopes: {} } },
    });
    expect(doc.paths['/auth/me'].get.security).toEqual([{ bearerAuth: [] }, { oauth2Password: [] }]);
  });

  it('documents `customer_status` as another name for `status`, both optional', () => {
    const create = doc.paths['/crm/customers'].post.requestBody.content['multipart/form-data'].schema;
    expect(create.required).toEqual(['full_name', 'platform', 'phone_number']);
    expect(create.properties.status.description).toMatch(/Default `need_to_call`/);
    expect(create.properties.customer_status.description).toMatch(/Another name for `status`/);
  });

  it('is deterministic', () => {
    expect(renderOpenApiDocument()).toBe(renderOpenApiDocument());
  });
});
