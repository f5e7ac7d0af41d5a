import { initContract } from '@ts-rest/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorResponses } from '../errors/error.schemas.js';
import { meta } from '../shared/route-meta.js';
import { buildOpenApiDocument } from './build-openapi.js';

const c = initContract();
const Thing = z.object({ id: z.number().int(), name: z.string() }).describe('A thing.');
const fixture = c.router({
  things: {
    login: {
      method: 'POST',
      path: '/things/login',
      contentType: 'application/x-www-form-urlencoded',
      summary: 'Form login',
      metadata: meta({ auth: 'public' }),
      body: z.object({ username: z.string(), password: z.string() }),
      responses: { 200: Thing, ...errorResponses(401, 422) },
    },
    upload: {
      method: 'POST',
      path: '/things/:id/upload',
      contentType: 'multipart/form-data',
      summary: 'Upload',
      metadata: meta({
        auth: 'bearer',
        files: { audio: { required: false, description: 'A recording.', mediaTypes: ['audio/mpeg'], maxBytes: 1000 } },
      }),
      body: z.object({ title: z.string(), note: z.string().optional() }),
      responses: { 201: Thing, ...errorResponses(413, 415, 422) },
    },
    search: {
      method: 'GET',
      path: '/things/search',
      summary: 'Search with rules across the query fields',
      metadata: meta({ auth: 'bearer' }),
      query: z
        .object({ from: z.string().optional(), to: z.string().optional().describe('With `from`.') })
        .superRefine(() => {}),
      responses: { 200: z.array(Thing) },
    },
    intake: {
      method: 'POST',
      path: '/things/intake',
      summary: 'Intake',
      metadata: meta({ auth: 'apiKey' }),
      body: Thing,
      responses: { 204: c.noBody() },
    },
  },
});
// biome-ignore lint/suspicious/noExplicitAny: the document is navigated freely in assertions.
type Doc = { paths: Record<string, Record<string, any>>; components: any };
const doc = buildOpenApiDocument(fixture, {
  title: 'T',
  version: '1',
  description: 'D',
  components: { Thing },
  tags: { things: 'Things.' },
}) as unknown as Doc;

describe('buildOpenApiDocument', () => {
  it('describes a form-urlencoded body with its fields', () => {
    const body = doc.paths['/things/login']?.post.requestBody;
    expect(Object.keys(body.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(body.content['application/x-www-form-urlencoded'].schema).toMatchObject({
      type: 'object',
      required: ['username', 'password'],
    });
  });

  it('describes a multipart body with its text fields and binary file parts', () => {
    const op = doc.paths['/things/{id}/upload']?.post;
    const multipart = op.requestBody.content['multipart/form-data'];
    expect(multipart.schema.required).toEqual(['title']);
    expect(multipart.schema.properties.audio).toMatchObject({
      type: 'string',
      contentMediaType: 'application/octet-stream',
    });
    expect(multipart.encoding.audio.contentType).toBe('audio/mpeg');
    expect(op.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
  });

  it('lists the parameters of a query with rules across its fields (superRefine)', () => {
    expect(doc.paths['/things/search']?.get.parameters).toEqual([
      { name: 'from', in: 'query', required: false, schema: { type: 'string' } },
      { name: 'to', in: 'query', required: false, description: 'With `from`.', schema: { type: 'string' } },
    ]);
  });

  it('references named components instead of repeating them', () => {
    expect(doc.paths['/things/intake']?.post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Thing',
    });
    expect(doc.components.schemas.Thing).toMatchObject({ type: 'object', description: 'A thing.' });
  });

  it('declares only multipart/form-data for a multipart route', () => {
    const content = doc.paths['/things/{id}/upload']?.post.requestBody.content;
    expect(Object.keys(content)).toEqual(['multipart/form-data']);
  });

  it('references one shared response per error status', () => {
    expect(doc.paths['/things/{id}/upload']?.post.responses['415']).toEqual({
      $ref: '#/components/responses/UnsupportedMediaType',
    });
    expect(Object.keys(doc.components.responses)).toEqual([
      'Unauthorized',
      'PayloadTooLarge',
      'UnsupportedMediaType',
      'ValidationFailed',
    ]);
    expect(doc.components.responses.ValidationFailed.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ValidationError',
    });
  });

  it('sets security per route and declares the API-key scheme only when a route uses it', () => {
    expect(doc.paths['/things/login']?.post.security).toEqual([]);
    expect(doc.paths['/things/{id}/upload']?.post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/things/intake']?.post.security).toEqual([{ intakeKey: [] }]);
    expect(doc.components.securitySchemes.intakeKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Key' });
  });

  it('gives bodiless responses a description', () => {
    expect(doc.paths['/things/intake']?.post.responses['204']).toMatchObject({ description: 'Intake' });
  });
});
