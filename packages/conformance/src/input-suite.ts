import { DAY_RANGE, MAX_ID, MAX_OFFSET, MAX_PAGE } from '@cims/contracts';
import { expect, it } from 'vitest';
import type { Target, withWorld as WithWorld, World } from './suite-kit.js';
import { accessToken, SEEDED, signedIn } from './suite-kit.js';

/**
 * Malformed input is a 4xx in the contract's shape on every implementation, never a 500 (issue 15): text the database
 * cannot store (NUL, unpaired surrogates), numbers beyond its range, days that do not exist or lie outside the
 * accepted range, and path parameters that are not valid percent-encoding. A 422 names the field.
 */

interface Answer {
  status: number;
  body: { detail?: unknown; code?: string } | undefined;
}

/** Sends a raw request (what the SDK would refuse to build), with `token` when given. */
async function send(world: World, path: string, init: RequestInit & { token?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(`${world.baseUrl}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const json = (method: string, body: string, token?: string): RequestInit & { token?: string } => ({
  method,
  body,
  token,
  headers: { 'content-type': 'application/json' },
});

/** The `loc` of each issue of a 422 body. */
function locs(answer: Answer): unknown[] {
  const detail = answer.body?.detail;
  return Array.isArray(detail) ? detail.map((issue: { loc: unknown }) => issue.loc) : [];
}

function expect422(answer: Answer, ...expected: unknown[][]): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(422);
  expect(answer.body?.code).toBe('VALIDATION_FAILED');
  expect(locs(answer)).toEqual(expected);
}

let sequence = 0;
function newPhone(): string {
  sequence += 1;
  return `+99891${String((Date.now() + sequence * 7919) % 10_000_000).padStart(7, '0')}`;
}

export function inputSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'input the database cannot hold', (world) => {
    let token: string;
    const ceo = async () => {
      token ??= await accessToken(await signedIn(world(), SEEDED.ceo));
      return token;
    };

    it('a NUL character in a JSON body is a 422 naming the field, before any login', async () => {
      const body = JSON.stringify({
        email: `nul${Date.now()}@example.com`,
        name: 'Nu\u0000l',
        surname: 'Byte',
        password: 'a-long-password-1',
      });
      expect422(await send(world(), '/auth/register', json('POST', body)), ['body', 'name']);
    });

    it('a NUL character in a query parameter, a form field and a path parameter is a 422 naming it', async () => {
      const t = await ceo();
      expect422(await send(world(), '/crm/customers/filter/status?status_filter=a%00b', { token: t }), [
        'query',
        'status_filter',
      ]);
      const form = new FormData();
      for (const [name, value] of Object.entries({
        full_name: 'Nul\u0000Name',
        platform: 'telegram',
        phone_number: newPhone(),
        status: 'need_to_call',
      })) {
        form.append(name, value);
      }
      expect422(await send(world(), '/crm/customers', { method: 'POST', body: form, token: t }), ['body', 'full_name']);
      expect422(await send(world(), '/ceo/users/1/permissions/cr%00m', { method: 'DELETE', token: t }), [
        'path',
        'page_name',
      ]);
    });

    it('an unpaired UTF-16 surrogate is a 422 naming the field; a pair is text', async () => {
      const t = await ceo();
      expect422(
        await send(world(), '/management/statuses', json('POST', '{"name":"s_x","display_name":"Bad \\ud800"}', t)),
        ['body', 'display_name'],
      );
      expect422(
        await send(world(), '/management/statuses', json('POST', '{"name":"s_y","display_name":"\\udc00 bad"}', t)),
        ['body', 'display_name'],
      );
      const name = `pair_${Date.now().toString(36)}`;
      const pair = await send(
        world(),
        '/management/statuses',
        json('POST', JSON.stringify({ name, display_name: 'Pair \ud83d\ude00' }), t),
      );
      expect(pair.status).toBe(201);
    });

    it('numbers beyond the database range are a 422: offset, page, ids in the path and in a body', async () => {
      const t = await ceo();
      expect422(await send(world(), `/crm/customers/archived?offset=${MAX_OFFSET + 1}`, { token: t }), [
        'query',
        'offset',
      ]);
      expect422(await send(world(), '/crm/customers/archived?offset=1e19', { token: t }), ['query', 'offset']);
      expect422(await send(world(), `/crm/dashboard?page=${MAX_PAGE + 1}`, { token: t }), ['query', 'page']);
      expect422(await send(world(), '/crm/detail/9223372036854775807', { token: t }), ['path', 'id']);
      expect422(
        await send(world(), '/crm/customers/bulk-delete', json('DELETE', '{"customer_ids":[9223372036854775807]}', t)),
        ['body', 'customer_ids', 0],
      );
      // The largest id is still an id: no such customer.
      expect((await send(world(), `/crm/detail/${MAX_ID}`, { token: t })).status).toBe(404);
    });

    it('days that do not exist, or outside 1970-2999, are a 422; a leap day is a day', async () => {
      const t = await ceo();
      for (const [query, field] of [
        ['from_date=2024-02-30&to_date=2024-03-01', 'from_date'],
        ['from_date=2023-02-29&to_date=2023-03-01', 'from_date'],
        ['from_date=0000-01-01&to_date=2024-01-01', 'from_date'],
        ['from_date=0001-01-01&to_date=2024-01-01', 'from_date'],
        ['from_date=2024-01-01&to_date=9999-12-31', 'to_date'],
      ] as const) {
        expect422(await send(world(), `/crm/customers/report/period?${query}`, { token: t }), ['query', field]);
      }
      const leap = await send(world(), '/crm/customers/report/period?from_date=2024-02-29&to_date=2024-03-01', {
        token: t,
      });
      expect(leap.status).toBe(200);
      expect(DAY_RANGE).toEqual({ first: '1970-01-01', last: '2999-12-31' });
    });

    it('a recall time outside 1970-2999, or on a day that does not exist, is a 422 and nothing is created', async () => {
      const t = await ceo();
      for (const recall of [
        '9999-12-31T23:59:59Z',
        '3000-01-01T00:00:00Z',
        '0001-01-01T00:00:00Z',
        '2024-02-30T10:00',
        // Without an offset, read in the business zone (+06:00 in 1970): 1969-12-31T21:00:00Z.
        '1970-01-01T03:00',
      ]) {
        const phone = newPhone();
        const body = new URLSearchParams({
          full_name: 'Far Future',
          platform: 'telegram',
          phone_number: phone,
          status: 'need_to_call',
          recall_time: recall,
        });
        const res = await send(world(), '/crm/customers', {
          method: 'POST',
          body,
          token: t,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect422(res, ['body', 'recall_time']);
      }
      const edge = await send(world(), '/crm/customers', {
        method: 'POST',
        token: t,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          full_name: 'Edge Recall',
          platform: 'telegram',
          phone_number: newPhone(),
          status: 'need_to_call',
          recall_time: '2999-12-31T12:00:00Z',
        }),
      });
      expect(edge.status).toBe(201);
      const id = (edge.body as { id: number }).id;
      const detail = await send(world(), `/crm/detail/${id}`, { token: t });
      expect((detail.body as { recall_time?: string }).recall_time).toBe('2999-12-31T17:00:00.000+05:00');
    });

    it('a path parameter that is not valid percent-encoding is a 422 naming it, with or without a login', async () => {
      expect422(await send(world(), '/crm/detail/%ff'), ['path', 'id']);
      expect422(await send(world(), '/crm/detail/%'), ['path', 'id']);
      expect422(await send(world(), '/ceo/users/1/permissions/%E0%A4%A', { method: 'DELETE', token: await ceo() }), [
        'path',
        'page_name',
      ]);
      const unknown = await send(world(), '/no/such/%ff');
      expect(unknown.status).toBe(404);
      expect(unknown.body?.code).toBe('NOT_FOUND');
    });
  });
}
