import { query } from '../../src/db/sql.js';
import { bearer, CEO, tokens } from '../auth/helpers.js';
import type { TestApp } from '../harness.js';

/** The CEO's bearer header. */
export async function ceo(t: TestApp) {
  return bearer((await tokens(t, CEO.email, CEO.password)).access_token);
}

/** The id of the user with this e-mail address. */
export async function userId(t: TestApp, email: string): Promise<number> {
  const [row] = await query(t.server.app.context.db.orm.em.fork(), 'select id from app_user where email = ?', [email]);
  return Number(row?.id);
}
