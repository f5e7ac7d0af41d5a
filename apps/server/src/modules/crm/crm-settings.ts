import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import { query, transaction } from '../../db/sql.js';

/**
 * Writes the server's `BUSINESS_TIMEZONE` into `crm_settings`, where the `customer_counts_*` triggers read it. When it
 * differs from the stored one, the per-day counts were kept in another zone's days, so they are rebuilt from the
 * customers in the same transaction (one set-based statement), with writes to `customer` held off meanwhile.
 * Returns whether the zone changed.
 */
export async function applyBusinessTimeZone(orm: Orm, zone: string): Promise<boolean> {
  return transaction(orm.em.fork() as EntityManager, async (tem) => {
    const [settings] = await query(tem, 'select business_timezone from crm_settings where id = 1 for update');
    if (settings?.business_timezone === zone) return false;
    // Customers written meanwhile would be counted by the trigger in a zone this rebuild is replacing.
    await query(tem, 'lock table customer in share mode');
    await query(
      tem,
      `insert into crm_settings (id, business_timezone) values (1, ?)
       on conflict (id) do update set business_timezone = excluded.business_timezone`,
      [zone],
    );
    await query(tem, 'delete from customer_daily_count');
    await query(
      tem,
      `insert into customer_daily_count (day, status, archived, n)
       select cast(created_at at time zone ? as date), status, archived_at is not null, count(*)
         from customer group by 1, 2, 3`,
      [zone],
    );
    return true;
  });
}
