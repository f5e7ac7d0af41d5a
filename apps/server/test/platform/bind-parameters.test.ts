import { describe, expect, it } from 'vitest';
import { bearer, getJson, SALES, sendJson, tokens } from '../auth/helpers.js';
import { createTestApp } from '../harness.js';

/** Values that SQL text built by hand gets wrong: quotes, backslashes, placeholders of both kinds, `;`, unicode. */
const VALUES = [
  `O'Brien "the ?"`,
  `x'); drop table app_user; --`,
  'back\\slash \\\\ \\n \\x41',
  "what? ?? \\? E'?'",
  '$1 $2 $$ $tag$ not a dollar quote $tag$',
  'call back; busy;',
  'Ўзбекистон — 東京 — 😀 — e\u0301 — \u200b',
  `/* ? */ -- ?`,
];

describe('values are bind parameters: what a client sends is stored and read back unchanged', () => {
  it('PATCH /auth/me/profile-info then GET /auth/me round-trips each value', async () => {
    await using t = await createTestApp();
    const { access_token } = await tokens(t, SALES.email, SALES.password);
    for (const value of VALUES) {
      const patched = await sendJson(
        t,
        'PATCH',
        '/auth/me/profile-info',
        { name: value, surname: `${value}!` },
        bearer(access_token),
      );
      expect(patched.res.status, value).toBe(200);
      const me = await getJson(t, '/auth/me', bearer(access_token));
      expect(me.res.status).toBe(200);
      expect(me.body, value).toMatchObject({ name: value, surname: `${value}!` });
    }
  });
});

describe('text PostgreSQL cannot store is the client’s error, not the server’s', () => {
  it('regression (NUL bytes answered 500): a NUL or a lone surrogate in a text field is a 422 naming the field', async () => {
    await using t = await createTestApp();
    const { access_token } = await tokens(t, SALES.email, SALES.password);
    for (const name of ['a\u0000b', 'half \ud800 a pair']) {
      const res = await sendJson(t, 'PATCH', '/auth/me/profile-info', { name }, bearer(access_token));
      expect(res.res.status, JSON.stringify(name)).toBe(422);
      expect(res.body).toEqual({
        detail: [{ loc: ['body', 'name'], msg: expect.any(String), type: 'string_unsafe' }],
        code: 'VALIDATION_FAILED',
      });
    }
    // Nothing was written: the name is unchanged.
    expect((await getJson(t, '/auth/me', bearer(access_token))).body.name).not.toContain('\u0000');
    expect(t.logs.some((line) => line.level === 50)).toBe(false);
  });
});
