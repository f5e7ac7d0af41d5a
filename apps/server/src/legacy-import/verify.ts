import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.js';
import { asInt, query } from '../db/sql.js';
import { roleOf } from './accounts.js';
import { effectiveStatus, storedPhone, storedPlatform } from './crm.js';
import { decryptFernet, legacyFernetKey } from './fernet.js';
import { LegacySource, tashkentMillis } from './legacy-source.js';

/** One comparison of `--verify`. */
export interface Check {
  what: string;
  legacy: string;
  here: string;
  ok: boolean;
}

/**
 * Row counts to compare: the legacy rows the import takes, and the same rows here. Where the import keeps the legacy
 * ids, only ids up to the legacy table's highest count here: rows made after the cut-over (and the first history
 * entries the import derives) have higher ones.
 */
const COUNTS: readonly { what: string; legacy: string; here: string; keepsIds?: string }[] = [
  { what: 'users', legacy: 'from "user"', here: 'from app_user', keepsIds: '"user"' },
  { what: 'customers', legacy: 'from customer', here: 'from customer', keepsIds: 'customer' },
  {
    what: 'archived customers',
    legacy: 'from customer where is_archived is true',
    here: 'from customer where archived_at is not null',
    keepsIds: 'customer',
  },
  { what: 'notes', legacy: 'from customer_note', here: 'from customer_note', keepsIds: 'customer_note' },
  {
    what: 'status changes',
    legacy: 'from customer_status_change_log',
    here: 'from customer_status_change',
    keepsIds: 'customer_status_change_log',
  },
  {
    what: 'active assignments',
    legacy: 'from sales_manager_assignment where is_active is not false',
    here: 'from sales_manager_assignment',
    keepsIds: 'sales_manager_assignment',
  },
  { what: 'audit entries', legacy: 'from audit_log', here: 'from audit_log', keepsIds: 'audit_log' },
  { what: 'Instagram snapshots', legacy: 'from instagram_stats', here: 'from instagram_snapshot' },
];

/**
 * Compares the two databases after an import (`pnpm cims import-legacy --verify`): the row counts of every table the
 * import takes, then a random sample of customers (decrypted on the legacy side), users and notes, field by field.
 * Rows reported as skipped by the import show up as count differences, as they should.
 */
export async function verifyImport(
  orm: Orm,
  options: { legacyUrl: string; fernetPassword: string; phoneRegion: string; sample?: number },
): Promise<Check[]> {
  const source = await LegacySource.open(options.legacyUrl);
  const em = orm.em.fork() as unknown as EntityManager;
  const sample = options.sample ?? 100;
  const checks: Check[] = [];
  try {
    for (const c of COUNTS) {
      const [l] = await source.rows(`select count(*) as n ${c.legacy}`);
      let h: Record<string, unknown> | undefined;
      if (c.keepsIds) {
        const [max] = await source.rows(`select coalesce(max(id), 0) as n from ${c.keepsIds}`);
        const where = c.here.includes(' where ') ? 'and' : 'where';
        [h] = await query(em, `select count(*) as n ${c.here} ${where} id <= cast(? as bigint)`, [Number(max?.n ?? 0)]);
      } else {
        [h] = await query(em, `select count(*) as n ${c.here}`);
      }
      const legacy = asInt(l?.n);
      const here = asInt(h?.n);
      checks.push({ what: c.what, legacy: String(legacy), here: String(here), ok: legacy === here });
    }
    // Grants of pages that exist (the legacy app's or this server's): a grant of no page granted nothing, and is left out.
    const pages = (await query(em, 'select name from app_page')).map((row) => String(row.name));
    const [grants] = await source.rows(
      `select count(*) as n from (select distinct user_id, lower(btrim(page_name)) as page from user_page_permission) p
        where p.page = any($1::text[]) or exists (select 1 from app_page a where lower(btrim(a.name)) = p.page)`,
      [pages],
    );
    const [granted] = await query(em, 'select count(*) as n from user_page_permission');
    checks.push({
      what: 'page permissions',
      legacy: String(asInt(grants?.n)),
      here: String(asInt(granted?.n)),
      ok: asInt(grants?.n) === asInt(granted?.n),
    });
    const key = legacyFernetKey(options.fernetPassword);
    const customers = await source.rows(
      `select id, full_name, phone_number, platform, status_name, status::text as status,
              ${tashkentMillis('created_at')} as created_at, is_archived is true as archived
         from customer order by random() limit $1`,
      [sample],
    );
    const customerMismatches: string[] = [];
    for (const c of customers) {
      const [row] = await query(
        em,
        `select full_name, phone_number, platform, status, created_at, archived_at is not null as archived
           from customer where id = ?`,
        [c.id],
      );
      let expected: string[];
      try {
        expected = [
          decryptFernet(key, String(c.full_name)),
          storedPhone(decryptFernet(key, String(c.phone_number)), options.phoneRegion).value,
          storedPlatform(String(c.platform)).value,
          String(effectiveStatus(c.status_name === null ? null : String(c.status_name), String(c.status))),
          new Date(Number(c.created_at)).toISOString(),
          String(c.archived),
        ];
      } catch {
        expected = ['(does not decrypt)'];
      }
      const actual = row
        ? [
            String(row.full_name),
            String(row.phone_number),
            String(row.platform),
            String(row.status),
            new Date(row.created_at as string).toISOString(),
            String(row.archived),
          ]
        : ['(missing)'];
      if (expected.join('\u0000') !== actual.join('\u0000')) customerMismatches.push(String(c.id));
    }
    checks.push(
      sampleCheck('customers (name, phone, platform, status, created, archived)', customers.length, customerMismatches),
    );
    const users = await source.rows(
      `select id, email, password, role::text as role, company_code from "user" order by random() limit $1`,
      [sample],
    );
    const userMismatches: string[] = [];
    for (const u of users) {
      const [row] = await query(em, 'select email, password_hash, role from app_user where id = ?', [u.id]);
      const ok =
        row !== undefined &&
        row.email === String(u.email).trim().toLowerCase() &&
        row.password_hash === String(u.password).replace(/^\$2y\$/, '$2b$') &&
        row.role === roleOf(String(u.role), String(u.company_code ?? ''));
      if (!ok) userMismatches.push(String(u.id));
    }
    checks.push(sampleCheck('users (address, password hash, role)', users.length, userMismatches));
    const notes = await source.rows('select id, customer_id, note from customer_note order by random() limit $1', [
      sample,
    ]);
    const noteMismatches: string[] = [];
    for (const n of notes) {
      const [row] = await query(em, 'select customer_id, note from customer_note where id = ?', [n.id]);
      if (!row || asInt(row.customer_id) !== Number(n.customer_id) || row.note !== n.note) {
        noteMismatches.push(String(n.id));
      }
    }
    checks.push(sampleCheck('notes (customer, text)', notes.length, noteMismatches));
    return checks;
  } finally {
    await source.close();
  }
}

function sampleCheck(what: string, sampled: number, mismatches: string[]): Check {
  return {
    what: `sample of ${what}`,
    legacy: `${sampled} sampled`,
    here:
      mismatches.length === 0
        ? 'all equal'
        : `differ: ${mismatches.slice(0, 10).join(', ')}${mismatches.length > 10 ? ', …' : ''}`,
    ok: mismatches.length === 0,
  };
}

/** The checks as a terminal table. */
export function renderChecks(checks: readonly Check[]): string {
  const widths = [Math.max(...checks.map((c) => c.what.length)), Math.max(6, ...checks.map((c) => c.legacy.length))];
  return checks
    .map(
      (c) =>
        `${c.ok ? '✓' : '✗'} ${c.what.padEnd(widths[0] ?? 0)}  legacy ${c.legacy.padStart(widths[1] ?? 0)}  here ${c.here}`,
    )
    .join('\n');
}
