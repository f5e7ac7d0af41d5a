import { contract, IntakeCustomerSchema, listRoutes, RegisterSchema } from '@cims/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeRequest, type FuzzWorld, requestArb } from './generate.js';
import { type Answer, violations } from './oracle.js';
import { valid } from './valid-values.js';
import { formText, jsonText, multipartBytes, Raw, wtf8 } from './wire.js';

const world: FuzzWorld = { protectedIds: () => [1, 2], knownIds: [1, 2, 3] };
const answer = (status: number, body?: unknown, contentType = 'application/json'): Answer => ({
  status,
  contentType,
  text: body === undefined ? '' : JSON.stringify(body),
  requestId: 'r',
});

describe('the fuzz oracle', () => {
  it('accepts answers the contract allows', () => {
    expect(violations(contract.crm.detail, answer(401, { detail: 'No token', code: 'UNAUTHENTICATED' }))).toEqual([]);
    expect(
      violations(
        contract.crm.detail,
        answer(422, { detail: [{ loc: ['path', 'id'], msg: 'bad', type: 'invalid_type' }], code: 'VALIDATION_FAILED' }),
      ),
    ).toEqual([]);
    expect(violations(contract.auth.revokeSession, answer(204))).toEqual([]);
    expect(
      violations(contract.health.liveness, answer(200, { status: 'ok', version: '1', uptime_seconds: 3 })),
    ).toEqual([]);
  });

  it('flags a 5xx even where the route declares 500', () => {
    expect(violations(contract.crm.detail, answer(500, { detail: 'Internal', code: 'INTERNAL' }))).toEqual([
      { problem: 'answered 500', code: 'INTERNAL' },
    ]);
  });

  it('flags a status the route does not declare', () => {
    const problems = violations(contract.crm.detail, answer(415, { detail: 'no', code: 'UNSUPPORTED_MEDIA_TYPE' }));
    expect(problems).toEqual([{ problem: 'status 415 is not declared by the route', code: 'UNSUPPORTED_MEDIA_TYPE' }]);
  });

  it('flags an error body out of shape, and a code of another status', () => {
    expect(violations(contract.crm.detail, answer(404, { detail: 'x', code: 'CONFLICT' }))).toEqual([
      { problem: 'code CONFLICT belongs to 409', code: 'CONFLICT' },
    ]);
    expect(violations(contract.crm.detail, answer(422, { detail: 'x', code: 'VALIDATION_FAILED' }))).toEqual([
      { problem: "error body is not the contract's 422 error shape", code: 'VALIDATION_FAILED' },
    ]);
    expect(violations(contract.crm.detail, answer(404, 'Not Found', 'text/html'))).toHaveLength(1);
  });

  it('flags a 2xx that does not match the response schema', () => {
    const [problem] = violations(
      contract.health.liveness,
      answer(200, { status: 'ok', version: 1, uptime_seconds: 3 }),
    );
    expect(problem?.problem).toMatch(/^200 body fails the response schema at version/);
    expect(violations(contract.auth.revokeSession, answer(204, { ok: true }))).toEqual([
      { problem: '204 has a body, the contract says none' },
    ]);
    expect(violations(contract.crm.audio, answer(200, 'x', 'text/html'))[0]?.problem).toBe(
      '200 is text/html, not audio/*',
    );
  });

  it('flags a dropped connection', () => {
    expect(violations(contract.crm.detail, { ...answer(0), text: 'connection failed: ECONNRESET' })).toEqual([
      { problem: 'connection failed: ECONNRESET' },
    ]);
  });
});

describe('the request generator', () => {
  const routes = listRoutes(contract);

  it('builds requests for every route of the contract, the same ones for the same seed', () => {
    for (const entry of routes) {
      const first = fc.sample(requestArb(entry, world), { seed: 7, numRuns: 20 }).map(describeRequest);
      const again = fc.sample(requestArb(entry, world), { seed: 7, numRuns: 20 }).map(describeRequest);
      const other = fc.sample(requestArb(entry, world), { seed: 8, numRuns: 20 }).map(describeRequest);
      expect(again, entry.name).toEqual(first);
      expect(other, entry.name).not.toEqual(first);
    }
  });

  it('sends valid requests and broken ones, on every route', () => {
    for (const entry of routes) {
      const kinds = new Set(
        fc.sample(requestArb(entry, world), { seed: 1, numRuns: 60 }).map((req) => req.mutation.split(':')[0]),
      );
      expect(kinds.has('valid'), entry.name).toBe(true);
      expect(kinds.size, entry.name).toBeGreaterThan(1);
    }
  });

  it('makes values that the schemas accept (most of the time: refinements are not solved)', () => {
    const values = fc.sample(valid(RegisterSchema), { seed: 3, numRuns: 200 });
    const accepted = values.filter((value) => RegisterSchema.safeParse(value).success).length;
    expect(accepted).toBeGreaterThan(170);
    // Case-insensitive enums are transforms: their words come from the description the contract gives them.
    const leads = fc.sample(valid(IntakeCustomerSchema), { seed: 3, numRuns: 200 });
    expect(leads.filter((lead) => IntakeCustomerSchema.safeParse(lead).success).length).toBeGreaterThan(100);
  });

  it('never aims a valid path id at a protected one', () => {
    const requests = fc.sample(requestArb({ keys: [], name: 'd', route: contract.ceo.deleteUser }, world), {
      seed: 5,
      numRuns: 300,
    });
    const ids = requests.filter((r) => r.mutation === 'valid').map((r) => r.url.split('/')[3]);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain('1');
    expect(ids).not.toContain('2');
  });
});

describe('the wire encodings', () => {
  it('send a lone surrogate as its three WTF-8 bytes, in URLs and multipart bodies', () => {
    expect([...wtf8('a\ud800')]).toEqual([0x61, 0xed, 0xa0, 0x80]);
    expect([...wtf8('🙂')]).toEqual([0xf0, 0x9f, 0x99, 0x82]);
    expect(formText({ q: 'x\udfff', n: '\u0000' })).toBe('q=x%ED%BF%BF&n=%00');
    const body = multipartBytes({ note: 'a\u0000b' }, []);
    expect(Buffer.from(body).includes(Buffer.from([0x61, 0x00, 0x62]))).toBe(true);
  });

  it('write numbers beyond JavaScript as they are, and bad escapes verbatim', () => {
    expect(jsonText({ id: new Raw('9223372036854775807'), ids: [new Raw('1e19')], s: '\ud800' })).toBe(
      '{"id":9223372036854775807,"ids":[1e19],"s":"\\ud800"}',
    );
    expect(formText({ page: new Raw('%ff'), size: ['1', '2'] })).toBe('page=%ff&size=1&size=2');
  });
});
