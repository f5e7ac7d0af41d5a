import { query } from '../db/sql.js';
import { tokenContext } from '../modules/instagram/account-row.js';
import { utcMillis } from './legacy-source.js';
import { type StepContext, text } from './step.js';
import { insertRows, instant } from './target.js';

/**
 * A legacy JSON text column: its value, or the text itself when it is not JSON — or when it holds `\u0000`, or a
 * lone surrogate, which a jsonb value cannot hold (the text keeps the escape as it is).
 */
function jsonOrText(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (/\\u(0000|d[89a-f][0-9a-f]{2})/i.test(String(value))) return String(value);
  try {
    return JSON.parse(String(value));
  } catch {
    return String(value);
  }
}

/**
 * The audit log, entry by entry under the legacy ids. What has no column here (the before/after snapshots, the changed
 * fields, the actor's e-mail and name as they were, the legacy table name, the system flag) is kept in `data`, with
 * `data.legacy` marking the entry as imported.
 */
export async function importAudit(ctx: StepContext): Promise<void> {
  const { source, em, report, progress } = ctx;
  const total = await source.count('audit_log');
  report.read('audit_log', total);
  progress.start('audit log', total);
  const batches = source.batches({
    table: 'audit_log',
    size: ctx.batchSize,
    columns: `t.id, ${utcMillis('t.created_at')} as created_at, t.actor_user_id, t.actor_email, t.actor_name, t.module,
      t.table_name, t.entity_type, t.entity_id, t.action, t.summary, t.before_data, t.after_data, t.changed_fields,
      t.request_id, t.ip_address, t.user_agent, t.is_system_action`,
  });
  for await (const rows of batches) {
    const out: unknown[][] = [];
    for (const row of rows) {
      const created = instant(row.created_at);
      if (created === null) {
        report.skip('audit_log', row.id, 'it has no time');
        continue;
      }
      const module = text(row.module) ?? 'legacy';
      const entityType = text(row.entity_type) ?? text(row.table_name) ?? 'unknown';
      const action = text(row.action) ?? 'unknown';
      if (module.length > 50 || entityType.length > 50 || action.length > 50) {
        report.skip('audit_log', row.id, 'its module, entity type or action is longer than 50 characters');
        continue;
      }
      let actor = row.actor_user_id === null ? null : Number(row.actor_user_id);
      if (actor !== null && !ctx.imported.users.has(actor)) actor = null;
      const userAgent = text(row.user_agent);
      const entityId = text(row.entity_id);
      out.push([
        row.id,
        created,
        actor,
        module,
        entityType,
        entityId?.slice(0, 100) ?? null,
        action,
        text(row.summary),
        {
          before: jsonOrText(row.before_data),
          after: jsonOrText(row.after_data),
          changed_fields: jsonOrText(row.changed_fields),
          legacy: {
            actor_user_id: row.actor_user_id,
            actor_email: row.actor_email,
            actor_name: row.actor_name,
            table_name: row.table_name,
            is_system_action: row.is_system_action,
            // The columns here are shorter than the legacy ones: the whole values stay in the entry.
            ...(entityId && entityId.length > 100 ? { entity_id: entityId } : {}),
            ...(userAgent && userAgent.length > 500 ? { user_agent: userAgent } : {}),
          },
        },
        text(row.request_id)?.slice(0, 128) ?? null,
        text(row.ip_address)?.slice(0, 100) ?? null,
        userAgent?.slice(0, 500) ?? null,
      ]);
    }
    await insertRows(em, {
      table: 'audit_log',
      columns: [
        { name: 'id', type: 'int' },
        { name: 'created_at', type: 'timestamptz' },
        { name: 'actor_user_id', type: 'int' },
        { name: 'module', type: 'text' },
        { name: 'entity_type', type: 'text' },
        { name: 'entity_id', type: 'text' },
        { name: 'action', type: 'text' },
        { name: 'summary', type: 'text' },
        { name: 'data', type: 'jsonb' },
        { name: 'request_id', type: 'text' },
        { name: 'ip_address', type: 'text' },
        { name: 'user_agent', type: 'text' },
      ],
      rows: out,
    });
    report.imported('audit_log', out.length);
    progress.advance(rows.length);
  }
  progress.done();
}

/**
 * The Instagram account(s) and every daily snapshot. The active account last updated is the connected one, its
 * plaintext legacy token sealed with today's key; any other account is imported disconnected (no token), so its
 * history stays and connecting it again brings it back.
 */
export async function importInstagram(ctx: StepContext): Promise<void> {
  const { source, em, report } = ctx;
  const accounts = await source.rows(
    `select id, account_username, instagram_business_account_id as ig_id, facebook_page_id, access_token, is_active,
            ${utcMillis('token_expires_at')} as token_expires_at, ${utcMillis('last_synced_at')} as last_synced_at,
            ${utcMillis('created_at')} as created_at, ${utcMillis('updated_at')} as updated_at
       from instagram_account order by is_active is not false desc, updated_at desc nulls last, id desc`,
  );
  report.read('instagram_account', accounts.length);
  const imported = new Set<number>();
  const igIds = new Set<string>();
  let connected = false;
  for (const row of accounts) {
    const igId = text(row.ig_id)?.trim() ?? '';
    if (igId === '' || igId.length > 32) {
      report.skip('instagram_account', row.id, 'it has no Instagram business account id (or one over 32 characters)');
      continue;
    }
    if (igIds.has(igId)) {
      report.skip('instagram_account', row.id, `business account ${igId} is also another account row`);
      continue;
    }
    igIds.add(igId);
    const token = text(row.access_token);
    const connect: boolean = !connected && row.is_active !== false && token !== null && token !== '';
    connected ||= connect;
    const sealed = connect && token ? ctx.cipher.seal(token, tokenContext(igId)) : undefined;
    const now = ctx.now.toISOString();
    const created = instant(row.created_at) ?? now;
    if (!text(row.facebook_page_id)) report.adjust('instagram_account', row.id, 'it has no Facebook page id');
    await query(
      em,
      `insert into instagram_account (id, account_username, instagram_business_account_id, facebook_page_id,
         token_key_id, token_iv, token_tag, token_ciphertext, token_expires_at, token_issued_at, connected_at,
         disconnected_at, last_synced_at, reconnect_required, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, cast(? as timestamptz), cast(? as timestamptz), cast(? as timestamptz),
         cast(? as timestamptz), cast(? as timestamptz), false, cast(? as timestamptz), cast(? as timestamptz))`,
      [
        row.id,
        String(row.account_username ?? '').slice(0, 255),
        igId,
        (text(row.facebook_page_id) ?? '').slice(0, 32),
        sealed?.keyId ?? null,
        sealed?.iv ?? null,
        sealed?.tag ?? null,
        sealed?.ciphertext ?? null,
        connect ? instant(row.token_expires_at) : null,
        connect ? (instant(row.updated_at) ?? created) : null,
        created,
        connect ? null : (instant(row.updated_at) ?? now),
        instant(row.last_synced_at),
        created,
        instant(row.updated_at) ?? created,
      ],
    );
    if (!connect) {
      report.adjust(
        'instagram_account',
        row.id,
        connected ? 'imported disconnected (another account is the connected one)' : 'imported disconnected',
      );
    }
    imported.add(Number(row.id));
    report.imported('instagram_account', 1);
  }
  const total = await source.count('instagram_stats');
  report.read('instagram_stats', total);
  const batches = source.batches({
    table: 'instagram_stats',
    size: ctx.batchSize,
    columns: `t.id, t.account_id, to_char(t.date, 'YYYY-MM-DD') as day, t.followers_count, t.following_count, t.media_count,
      ${utcMillis('t.created_at')} as created_at`,
  });
  for await (const rows of batches) {
    const out: unknown[][] = [];
    for (const row of rows) {
      if (!imported.has(Number(row.account_id))) {
        report.skip('instagram_stats', row.id, `its account ${row.account_id} was not imported`);
        continue;
      }
      if (row.following_count === null || row.media_count === null) {
        report.adjust('instagram_stats', row.id, 'following or media count missing: 0');
      }
      out.push([
        row.account_id,
        row.day,
        Number(row.followers_count),
        Number(row.following_count ?? 0),
        Number(row.media_count ?? 0),
        instant(row.created_at) ?? `${String(row.day)}T12:00:00.000Z`,
      ]);
    }
    await insertRows(em, {
      table: 'instagram_snapshot',
      columns: [
        { name: 'account_id', type: 'int' },
        { name: 'snapshot_date', type: 'date' },
        { name: 'followers_count', type: 'int' },
        { name: 'following_count', type: 'int' },
        { name: 'media_count', type: 'int' },
        { name: 'captured_at', type: 'timestamptz' },
      ],
      rows: out,
    });
    report.imported('instagram_stats', out.length);
  }
}
