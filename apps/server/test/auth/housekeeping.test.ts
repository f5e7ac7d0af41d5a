import { describe, expect, it } from 'vitest';
import { asInt, query } from '../../src/db/sql.js';
import { createTestApp } from '../harness.js';
import { CEO, login, sendJson, tokens } from './helpers.js';

describe('housekeeping', () => {
  it('the hourly job deletes ended sessions, used or expired codes and old rate-limit windows, and nothing live', async () => {
    await using t = await createTestApp();
    const em = t.server.app.context.db.orm.em.fork();
    const count = async (table: string) => asInt((await query(em, `select count(*) as n from ${table}`))[0]?.n);
    const live = await tokens(t, CEO.email, CEO.password);
    const ended = await tokens(t, CEO.email, CEO.password);
    await query(
      em,
      `update auth_session set revoked_at = now() - interval '2 days' where id = (select max(id) from auth_session)`,
    );
    await login(t, CEO.email, 'wrong-password');
    await sendJson(t, 'POST', '/auth/forgot-password', { email: CEO.email });
    // Regression (failed on a busy machine): the reset code is stored after the answer; without waiting for that work
    // it could be stored after the update below, and stay live.
    await t.server.app.context.auth.core.idle();
    await query(em, `update verification_code set expires_at = now() - interval '1 minute'`);
    // Every window has ended: moved back by its length and a second, instead of waiting that long.
    await query(
      em,
      'update rate_limit_hit set window_start = window_start - make_interval(secs => window_seconds + 1)',
    );
    expect(await count('rate_limit_hit')).toBeGreaterThan(0);
    await t.server.app.context.auth.accounts.purgeExpired();
    expect(await count('auth_session')).toBe(1);
    expect(await count('refresh_token')).toBeGreaterThan(0);
    expect(await count('verification_code')).toBe(0);
    expect(await count('rate_limit_hit')).toBe(0);
    // The live session still works; the ended one is gone with its tokens.
    expect((await sendJson(t, 'POST', '/auth/refresh', { refresh_token: live.refresh_token })).res.status).toBe(200);
    expect((await sendJson(t, 'POST', '/auth/refresh', { refresh_token: ended.refresh_token })).res.status).toBe(401);
  });

  it('without SMTP in development, a code mail goes to the log, marked development-only', async () => {
    await using t = await createTestApp({ env: { SMTP_URL: '', NODE_ENV: 'development' } });
    await sendJson(t, 'POST', '/auth/forgot-password', { email: CEO.email });
    // The code is stored and mailed after the answer (so that timing tells nothing): wait for that work.
    await t.server.app.context.auth.core.idle();
    const line = t.logs.find((l) => String(l.msg).startsWith('DEVELOPMENT ONLY'));
    expect(line).toMatchObject({ devMail: { to: CEO.email, subject: 'Your CIMS password reset code' } });
    expect(t.inbox.mails).toHaveLength(0);
  });
});
