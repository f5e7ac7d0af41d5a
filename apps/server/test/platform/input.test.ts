import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CEO } from '../auth/helpers.js';
import { legacyForm, newPhone, sendForm, signIn, tokenOf } from '../crm/write-helpers.js';
import { createTestApp, type TestApp } from '../harness.js';

/**
 * Issue 15, "No request gets a 500 because of what it sent": each class of the malformed-request sweep, over HTTP.
 * Every answer is a 4xx in the contract's shape; a 422 names the field.
 */
let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await createTestApp();
  token = await tokenOf(await signIn(t, CEO));
});
afterAll(async () => {
  await t?.close();
});

async function send(path: string, init: RequestInit & { auth?: boolean } = {}) {
  const headers = new Headers(init.headers);
  if (init.auth !== false) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(`${t.url}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

function json(method: string, body: string, auth = true): RequestInit & { auth?: boolean } {
  return { method, body, headers: { 'content-type': 'application/json' }, auth };
}

/** The `loc` of each issue of a 422 body. */
function locs(body: Record<string, unknown> | undefined): unknown[] {
  return Array.isArray(body?.detail) ? body.detail.map((issue: { loc: unknown }) => issue.loc) : [];
}

async function newCustomerId(): Promise<number> {
  const phone = newPhone().e164;
  const res = await sendForm(
    t,
    'POST',
    '/crm/customers',
    legacyForm({ full_name: 'Input Test', platform: 'telegram', phone_number: phone, status: 'need_to_call' }),
    token,
  );
  expect(res.res.status).toBe(201);
  return res.body.id as number;
}

describe('regression: a NUL byte in any text was a 500 (PostgreSQL refuses it in text)', () => {
  it('in a JSON body of a route that needs no login (POST /auth/register)', async () => {
    const res = await send(
      '/auth/register',
      json(
        'POST',
        JSON.stringify({ email: 'nul@example.com', name: 'Nu\u0000l', surname: 'Byte', password: 'a-long-password-1' }),
        false,
      ),
    );
    expect(res.status).toBe(422);
    expect(res.body?.code).toBe('VALIDATION_FAILED');
    expect(locs(res.body)).toEqual([['body', 'name']]);
  });

  it('in a query parameter', async () => {
    const res = await send('/crm/customers/filter/status?status_filter=need%00to_call');
    expect(res.status).toBe(422);
    expect(locs(res.body)).toEqual([['query', 'status_filter']]);
  });

  it('in a multipart text field, and nothing is written', async () => {
    const phone = newPhone().e164;
    const res = await sendForm(
      t,
      'POST',
      '/crm/customers',
      legacyForm({ full_name: 'Nul\u0000Name', platform: 'telegram', phone_number: phone, status: 'need_to_call' }),
      token,
    );
    expect(res.res.status).toBe(422);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(locs(res.body)).toEqual([['body', 'full_name']]);
    const list = await send('/crm/customers/latest?page=1&page_size=50');
    expect(JSON.stringify(list.body)).not.toContain(phone.slice(1));
  });

  it('in a URL-encoded form field (POST /auth/login)', async () => {
    const res = await send('/auth/login', {
      method: 'POST',
      body: 'username=ceo%40cims.local%00&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      auth: false,
    });
    expect(res.status).toBe(422);
    expect(locs(res.body)).toEqual([['body', 'username']]);
  });

  it('in a path parameter', async () => {
    const res = await send('/ceo/users/1/permissions/cr%00m', { method: 'DELETE' });
    expect(res.status).toBe(422);
    expect(locs(res.body)).toEqual([['path', 'page_name']]);
  });
});

describe('regression: a lone UTF-16 surrogate in text that reaches the audit log was a 500 (jsonb refuses it)', () => {
  it('in a note, and in a nested JSON value', async () => {
    const id = await newCustomerId();
    const note = await send(`/crm/customers/${id}/notes`, json('POST', '{"note":"half \\ud800 a pair"}'));
    expect(note.status).toBe(422);
    expect(locs(note.body)).toEqual([['body', 'note']]);
    const low = await send(`/crm/customers/${id}/notes`, json('POST', '{"note":"\\udc00 first"}'));
    expect(low.status).toBe(422);
    // A well-formed pair (an emoji) is text like any other.
    const pair = await send(`/crm/customers/${id}/notes`, json('POST', '{"note":"a pair \\ud83d\\ude00"}'));
    expect(pair.status).toBe(201);
  });

  it('in the legacy status form (a route that writes the audit log)', async () => {
    const res = await send(
      '/management/statuses',
      json('POST', '{"name":"surrogate_status","display_name":"Bad \\ud800","category":"open"}'),
    );
    expect(res.status).toBe(422);
    expect(locs(res.body)).toEqual([['body', 'display_name']]);
  });
});

describe('regression: numbers beyond the database range were a 500', () => {
  it.each([
    ['/crm/customers/archived?offset=1e19', ['query', 'offset']],
    ['/crm/customers/archived?offset=9223372036854775808', ['query', 'offset']],
    ['/crm/dashboard?page=1e19', ['query', 'page']],
    ['/crm/dashboard?page=9223372036854775807', ['query', 'page']],
    ['/crm/detail/9223372036854775807', ['path', 'id']],
    ['/crm/detail/2147483648', ['path', 'id']],
    ['/crm/customers/stats/summary', undefined],
  ])('GET %s', async (path, loc) => {
    const res = await send(path);
    if (loc === undefined) {
      expect(res.status).toBe(200);
      return;
    }
    expect(res.status).toBe(422);
    expect(res.body?.code).toBe('VALIDATION_FAILED');
    expect(locs(res.body)).toEqual([loc]);
  });

  it('ids in a JSON body', async () => {
    const res = await send('/crm/customers/bulk-delete', json('DELETE', '{"customer_ids":[9223372036854775807]}'));
    expect(res.status).toBe(422);
    expect(locs(res.body)).toEqual([['body', 'customer_ids', 0]]);
    const big = await send('/crm/assign-sales-manager', json('POST', '{"customer_id":1,"sales_manager_id":1e19}'));
    expect(big.status).toBe(422);
    expect(locs(big.body)).toEqual([['body', 'sales_manager_id']]);
  });

  it('the largest id the database holds is still an id (404, not 422)', async () => {
    const res = await send('/crm/detail/2147483647');
    expect(res.status).toBe(404);
  });
});

describe('regression: calendar days that do not exist, and years 0000/0001, were a 500 or answered', () => {
  it.each([
    ['from_date=2024-02-30&to_date=2024-03-01', 'from_date'],
    ['from_date=2023-02-29&to_date=2023-03-01', 'from_date'],
    ['from_date=2024-01-01&to_date=2024-04-31', 'to_date'],
    ['from_date=0000-01-01&to_date=2024-01-01', 'from_date'],
    ['from_date=0001-01-01&to_date=2024-01-01', 'from_date'],
    ['from_date=2024-01-01&to_date=9999-12-31', 'to_date'],
  ])('the period report with %s', async (query, field) => {
    const res = await send(`/crm/customers/report/period?period=custom&${query}`);
    expect(res.status).toBe(422);
    expect(locs(res.body)).toContainEqual(['query', field]);
  });

  it('a leap day that exists is a day', async () => {
    const res = await send('/crm/customers/report/period?from_date=2024-02-29&to_date=2024-03-01');
    expect(res.status).toBe(200);
  });

  it.each(['9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z', '2024-02-30T10:00:00+05:00', '2024-02-30T10:00'])(
    'a recall_time of %s',
    async (recall) => {
      const phone = newPhone().e164;
      const res = await sendForm(
        t,
        'POST',
        '/crm/customers',
        legacyForm({
          full_name: 'Far Future',
          platform: 'telegram',
          phone_number: phone,
          status: 'need_to_call',
          recall_time: recall,
        }),
        token,
      );
      expect(res.res.status).toBe(422);
      expect(locs(res.body)).toEqual([['body', 'recall_time']]);
    },
  );

  it('a recall time as late as the range allows is kept and shown', async () => {
    const id = await newCustomerId();
    const res = await send(`/crm/customers/${id}`, {
      method: 'PATCH',
      body: 'recall_time=2999-12-31T12:00:00Z',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    expect(res.body?.recall_time).toBe('2999-12-31T17:00:00.000+05:00');
    const late = await send(`/crm/customers/${id}`, {
      method: 'PATCH',
      body: 'recall_time=3000-01-01T00:00:00Z',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(late.status).toBe(422);
    expect(locs(late.body)).toEqual([['body', 'recall_time']]);
  });
});

describe('regression: a malformed % escape in a path parameter was a 500', () => {
  it.each([
    ['GET', '/crm/detail/%ff', false],
    ['GET', '/crm/detail/%', false],
    ['GET', '/crm/detail/%E0%A4%A', true],
    ['DELETE', '/ceo/users/1/permissions/%ff', true],
  ])('%s %s', async (method, path, auth) => {
    const res = await send(path, { method, auth });
    expect(res.status).toBe(422);
    expect(res.body?.code).toBe('VALIDATION_FAILED');
    expect(locs(res.body)).toHaveLength(1);
    expect((locs(res.body)[0] as unknown[])[0]).toBe('path');
  });

  it.each(['/no/such/%ff', '/media/profile-images/%ff.png', '/crm/%ff/detail'])(
    'an unknown path with a bad escape is still a 404: %s',
    async (path) => {
      const res = await send(path, { auth: false });
      expect(res.status).toBe(404);
      expect(res.body?.code).toBe('NOT_FOUND');
    },
  );
});
