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
      for (const response of Object.values(op.responses as Record<string, { description: string }>)) {
        expect(response.description).not.toMatch(/^\d+$/);
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

  it('publishes the error shapes as named components used by every error response', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ApiError', 'ValidationError', 'ValidationIssue']),
    );
    const readyz = doc.paths['/readyz'].get;
    expect(readyz.responses['422'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ValidationError',
    });
    expect(readyz.responses['500'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ApiError',
    });
  });

  it('is deterministic', () => {
    expect(renderOpenApiDocument()).toBe(renderOpenApiDocument());
  });
});
