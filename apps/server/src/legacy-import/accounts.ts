import { createHash } from 'node:crypto';
import { EmailSchema, normalizeRole, type Role } from '@cims/contracts';
import { query } from '../db/sql.js';
import { utcMillis } from './legacy-source.js';
import { quoted, type StepContext, text } from './step.js';
import { insertRows, instant } from './target.js';

/**
 * Pages: the legacy `app_page` rows, matched by name (trimmed and lower-cased, as the legacy app compared them). A page
 * this server already has keeps its flags and takes the legacy labels, order and activity; other pages are added.
 */
export async function importPages(ctx: StepContext): Promise<void> {
  const { source, em, report } = ctx;
  const rows = await source.rows(
    `select id, name, display_name, description, route_path, "order" as sort_order, is_active,
            ${utcMillis('created_at')} as created_at from app_page order by id`,
  );
  report.read('app_page', rows.length);
  for (const row of rows) {
    const name = String(row.name).trim().toLowerCase();
    if (name === '' || name.length > 100) {
      report.skip('app_page', row.id, `page name ${quoted(row.name)} is empty or longer than 100 characters`);
      continue;
    }
    if (ctx.imported.pages.has(name)) {
      report.skip(
        'app_page',
        row.id,
        `page name ${quoted(row.name)} repeats another page's name (case and spaces aside)`,
      );
      continue;
    }
    await query(
      em,
      `insert into app_page (name, display_name, description, route_path, sort_order, is_active, is_system, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, false, coalesce(cast(? as timestamptz), now()), now())
       on conflict (name) do update set display_name = excluded.display_name, description = excluded.description,
         route_path = excluded.route_path, sort_order = excluded.sort_order, is_active = excluded.is_active,
         updated_at = now()`,
      [
        name,
        String(row.display_name ?? name).slice(0, 255),
        text(row.description),
        text(row.route_path)?.slice(0, 255) ?? null,
        Number(row.sort_order ?? 0),
        row.is_active !== false,
        instant(row.created_at),
      ],
    );
    ctx.imported.pages.set(name, name);
    report.imported('app_page', 1);
  }
  // Pages of this server the legacy table does not have stay, so every page key the client knows still answers.
  for (const row of await query(em, 'select name from app_page')) {
    const name = String(row.name);
    if (!ctx.imported.pages.has(name)) ctx.imported.pages.set(name, name);
  }
}

/**
 * Roles: the legacy `user_role` rows. The built-in ones (`ceo`, `sales_manager`, …) are this server's built-in roles
 * under their names here; custom ones are added as custom roles. Names are unique regardless of case here.
 */
export async function importRoles(ctx: StepContext): Promise<void> {
  const { source, em, report } = ctx;
  const existing = new Map(
    (await query(em, 'select name from user_role')).map((r) => [String(r.name).toLowerCase(), String(r.name)]),
  );
  const rows = await source.rows(
    `select id, name, display_name, description, is_active, ${utcMillis('created_at')} as created_at
       from user_role order by id`,
  );
  report.read('user_role', rows.length);
  const taken = new Set<string>();
  for (const row of rows) {
    const legacyName = String(row.name);
    const builtIn = normalizeRole(legacyName);
    const key = (builtIn ?? legacyName.trim()).toLowerCase();
    if (taken.has(key)) {
      report.skip('user_role', row.id, `role name ${quoted(legacyName)} repeats another role's name (case aside)`);
      continue;
    }
    taken.add(key);
    const here = existing.get(key);
    if (here) {
      // A built-in role (or one that exists here already) keeps its row; the legacy name points at it.
      ctx.imported.roles.set(legacyName, here);
      report.imported('user_role', 1);
      continue;
    }
    const name = legacyName.trim();
    if (name === '' || name.length > 100) {
      report.skip('user_role', row.id, `role name ${quoted(legacyName)} is empty or longer than 100 characters`);
      continue;
    }
    await query(
      em,
      `insert into user_role (name, display_name, description, is_active, is_system, created_at, updated_at)
         values (?, ?, ?, ?, false, coalesce(cast(? as timestamptz), now()), now())`,
      [
        name,
        String(row.display_name ?? name).slice(0, 255),
        text(row.description),
        row.is_active !== false,
        instant(row.created_at),
      ],
    );
    existing.set(key, name);
    ctx.imported.roles.set(legacyName, name);
    report.imported('user_role', 1);
  }
}

/** What only the CEO may do here, and the legacy app let every active user do. */
const ADMIN_LOSS =
  'loses user, page, role and status administration and assigning customers to sales managers (the legacy app ' +
  'allowed them to every active user)';

/**
 * The role a legacy user gets: CEO when the legacy role is CEO **or** the company code is `ceo` (the legacy
 * sales-manager module's rule, the widest of the three legacy CEO checks: no legacy CEO loses CEO powers); otherwise the
 * legacy role under its name here (`sales_manager` → SalesManager, `financial_director` → Finance, `general_manager` →
 * Admin). docs/cut-over.md explains the choice.
 */
export function roleOf(legacyRole: string, companyCode: string): Role {
  if (legacyRole === 'CEO' || companyCode.trim().toLowerCase() === 'ceo') return 'CEO';
  return normalizeRole(legacyRole) ?? 'Customer';
}

/**
 * How a user's powers here differ from the legacy app's, which decided CEO power three ways: its CRM by
 * `company_code = 'ceo'` (archive, restore, hard delete, others' notes, no `crm` page needed), its sales-manager module
 * by role CEO or that company code, its Instagram routes by role CEO alone.
 */
function powerChanges({
  legacyRole,
  companyCode,
  hasCrmPage,
  role,
}: {
  legacyRole: string;
  companyCode: string;
  hasCrmPage: boolean;
  /** The role here ({@link roleOf}). */
  role: Role;
}): string[] {
  const changes: string[] = [];
  if (role === 'CEO') {
    if (companyCode !== 'ceo') {
      changes.push(
        "gains the CRM's CEO powers: archive, restore, hard delete, others' notes (legacy: company_code 'ceo' only)",
      );
      if (!hasCrmPage) changes.push('gains the CRM without the crm page');
    }
    if (legacyRole !== 'CEO') changes.push('gains Instagram statistics and CEO administration (legacy: role CEO only)');
    if (legacyRole === 'sales_manager') {
      changes.push('is no longer a sales manager: gets no new leads in turn and has no own lead list (is CEO instead)');
    }
  } else {
    changes.push(ADMIN_LOSS);
  }
  return changes;
}

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/**
 * Users, with their legacy ids and bcrypt hashes as they are (every user signs in with the password they had).
 * Addresses are stored lower-cased here; legacy addresses that differ only in case are a conflict, listed and never
 * merged.
 */
export async function importUsers(ctx: StepContext): Promise<void> {
  const { source, em, report } = ctx;
  const rows = await source.rows(
    `select u.id, u.email, u.name, u.surname, u.password, u.company_code, u.telegram_id, u.role::text as role,
            u.role_name, u.job_title, u.is_active,
            exists (select 1 from user_page_permission p where p.user_id = u.id and lower(btrim(p.page_name)) = 'crm') as crm_page,
            exists (select 1 from verification_code v where v.user_id = u.id and v.type = 'verify_email' and v.code <> '0') as unverified
       from "user" u order by u.id`,
  );
  report.read('user', rows.length);
  // Grouped by the address as it is stored here (users are few: this list is small), so the grouping and the unique
  // index can never disagree.
  const owners = new Map<string, number[]>();
  for (const row of rows) {
    const key = String(row.email).trim().toLowerCase();
    owners.set(key, [...(owners.get(key) ?? []), Number(row.id)]);
  }
  const out: unknown[][] = [];
  for (const row of rows) {
    const id = Number(row.id);
    const email = String(row.email).trim().toLowerCase();
    const same = owners.get(email) ?? [];
    if (same.length > 1) {
      const others = same.filter((other) => other !== id).join(', ');
      report.skip(
        'user',
        id,
        `e-mail ${quoted(row.email)} differs only in case or spaces from user(s) ${others}: a conflict`,
      );
      continue;
    }
    if (email === '' || email.length > 255) {
      report.skip('user', id, 'the e-mail address is empty or longer than 255 characters');
      continue;
    }
    const hash = String(row.password ?? '');
    if (!BCRYPT.test(hash)) {
      report.skip('user', id, 'the password is not a bcrypt hash');
      continue;
    }
    const companyCode = String(row.company_code ?? 'oddiy');
    const legacyRole = String(row.role ?? 'customer');
    const role = roleOf(legacyRole, companyCode);
    let customRole: string | null = null;
    if (row.role_name !== null && row.role_name !== undefined) {
      customRole = ctx.imported.roles.get(String(row.role_name)) ?? null;
      if (!customRole) report.adjust('user', id, `role label ${quoted(row.role_name)} has no role row: dropped`);
    }
    if (!EmailSchema.safeParse(email).success) {
      report.adjust(
        'user',
        id,
        `e-mail ${quoted(email)} is not a valid address: this user cannot sign in until it is changed`,
      );
    }
    const active = row.is_active !== false;
    if (active) {
      const changes = powerChanges({ legacyRole, companyCode, hasCrmPage: row.crm_page === true, role });
      if (changes.length > 0) {
        report.powers.push({
          user_id: id,
          email,
          legacy_role: legacyRole,
          legacy_company_code: companyCode,
          role,
          changes,
        });
      }
    }
    out.push([
      id,
      email,
      // passlib writes `$2b$`; `$2y$` is the same algorithm under PHP's name, which node's bcrypt reads as `$2b$`.
      hash.replace(/^\$2y\$/, '$2b$'),
      String(row.name ?? '').slice(0, 255),
      String(row.surname ?? '').slice(0, 255),
      role,
      customRole,
      companyCode.slice(0, 255),
      text(row.telegram_id)?.slice(0, 50) ?? null,
      text(row.job_title)?.slice(0, 100) ?? null,
      active,
      // An inactive account still waiting for its e-mail code was never verified; everyone else was accepted by the
      // legacy app.
      !active && row.unverified === true ? null : ctx.now.toISOString(),
      ctx.now.toISOString(),
      ctx.now.toISOString(),
    ]);
    ctx.imported.users.add(id);
  }
  await insertRows(em, {
    table: 'app_user',
    columns: [
      { name: 'id', type: 'int' },
      { name: 'email', type: 'text' },
      { name: 'password_hash', type: 'text' },
      { name: 'name', type: 'text' },
      { name: 'surname', type: 'text' },
      { name: 'role', type: 'text' },
      { name: 'role_name', type: 'text' },
      { name: 'company_code', type: 'text' },
      { name: 'telegram_id', type: 'text' },
      { name: 'job_title', type: 'text' },
      { name: 'is_active', type: 'bool' },
      { name: 'email_verified_at', type: 'timestamptz' },
      { name: 'created_at', type: 'timestamptz' },
      { name: 'updated_at', type: 'timestamptz' },
    ],
    rows: out,
  });
  report.imported('user', out.length);
}

/** Page permissions of the imported users, by page name here. */
export async function importPermissions(ctx: StepContext): Promise<void> {
  const { source, em, report } = ctx;
  const rows = await source.rows('select id, user_id, page_name from user_page_permission order by id');
  report.read('user_page_permission', rows.length);
  const seen = new Set<string>();
  const out: unknown[][] = [];
  for (const row of rows) {
    const userId = Number(row.user_id);
    if (!ctx.imported.users.has(userId)) {
      report.skip('user_page_permission', row.id, `its user ${userId} was not imported`);
      continue;
    }
    const page = ctx.imported.pages.get(String(row.page_name).trim().toLowerCase());
    if (!page) {
      // The legacy app only showed grants of existing pages: this one granted nothing there either.
      report.omit('user_page_permission', 'grants a page that does not exist (it granted nothing in the legacy app)');
      continue;
    }
    const key = `${userId}\u0000${page}`;
    if (seen.has(key)) {
      report.omit('user_page_permission', 'granted twice (case and spaces aside)');
      continue;
    }
    seen.add(key);
    out.push([userId, page, ctx.now.toISOString()]);
  }
  await insertRows(em, {
    table: 'user_page_permission',
    columns: [
      { name: 'user_id', type: 'int' },
      { name: 'page_name', type: 'text' },
      { name: 'created_at', type: 'timestamptz' },
    ],
    rows: out,
  });
  report.imported('user_page_permission', out.length);
}

/**
 * Sessions: every active, unexpired legacy refresh token becomes a session here with the same expiry, its token stored
 * as its SHA-256 (the legacy app stored it in plaintext). The browser's next refresh rotates it as any other.
 */
export async function importSessions(ctx: StepContext): Promise<void> {
  const { source, em, report } = ctx;
  const [counts] = await source.rows<{ total: string; ended: string }>(
    `select count(*) as total,
            count(*) filter (where is_active is false or expires_at is null or expires_at <= ($1::timestamptz at time zone 'UTC')) as ended
       from refresh_token`,
    [ctx.now.toISOString()],
  );
  report.read('refresh_token', Number(counts?.total ?? 0));
  report.omit('refresh_token', 'ended (revoked or expired): not carried over', Number(counts?.ended ?? 0));
  const rows = await source.rows(
    `select id, user_id, token, ${utcMillis('created_at')} as created_at, ${utcMillis('expires_at')} as expires_at
       from refresh_token
      where is_active is not false and expires_at > ($1::timestamptz at time zone 'UTC') order by id`,
    [ctx.now.toISOString()],
  );
  const sessions: unknown[][] = [];
  const tokens: unknown[][] = [];
  const hashes = new Set<string>();
  for (const row of rows) {
    const userId = Number(row.user_id);
    if (!ctx.imported.users.has(userId)) {
      report.skip('refresh_token', row.id, `its user ${userId} was not imported`);
      continue;
    }
    const hash = createHash('sha256').update(String(row.token)).digest('hex');
    if (hashes.has(hash)) {
      report.skip('refresh_token', row.id, 'the same token as another row');
      continue;
    }
    hashes.add(hash);
    const created = instant(row.created_at) ?? ctx.now.toISOString();
    // The session's id is the legacy token's: unique, and it ties the token row to its session without a round trip.
    sessions.push([row.id, userId, created, created, instant(row.expires_at)]);
    tokens.push([row.id, hash, created]);
  }
  await insertRows(em, {
    table: 'auth_session',
    columns: [
      { name: 'id', type: 'int' },
      { name: 'user_id', type: 'int' },
      { name: 'created_at', type: 'timestamptz' },
      { name: 'last_used_at', type: 'timestamptz' },
      { name: 'expires_at', type: 'timestamptz' },
    ],
    rows: sessions,
  });
  await insertRows(em, {
    table: 'refresh_token',
    columns: [
      { name: 'session_id', type: 'int' },
      { name: 'token_hash', type: 'text' },
      { name: 'created_at', type: 'timestamptz' },
    ],
    rows: tokens,
  });
  report.imported('refresh_token', tokens.length);
}

/**
 * One-time codes are not carried over: the legacy ones never expired and were stored in plaintext. Pending ones are
 * counted (their users ask for a new code), used ones (`"0"`) too. Password-reset codes sent to a Telegram chat
 * (`user.chat_id`) go by e-mail here: the report says how many users that concerns.
 */
export async function countCodes(ctx: StepContext): Promise<void> {
  const { source, report } = ctx;
  const [codes] = await source.rows(
    `select count(*) as total, count(*) filter (where code = '0') as used from verification_code`,
  );
  const total = Number(codes?.total ?? 0);
  const used = Number(codes?.used ?? 0);
  report.read('verification_code', total);
  report.omit('verification_code', 'used: not carried over', used);
  report.omit('verification_code', 'pending: not carried over (a new code is sent on request)', total - used);
  const [chats] = await source.rows(
    `select count(*) as n from "user" where chat_id is not null and btrim(chat_id) <> ''`,
  );
  const n = Number(chats?.n ?? 0);
  if (n > 0)
    report.adjust('user', '*', `${n} users got reset codes in Telegram (chat_id): they get them by e-mail now`);
}
