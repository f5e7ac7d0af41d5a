import { type CimsClient, createCimsClient } from '@cims/sdk';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { asInt, query } from '../../src/db/sql.js';
import { CEO, SALES2 } from '../auth/helpers.js';
import { createTestApp, type TestApp } from '../harness.js';

export { SALES2 };

export const ZONE = 'Asia/Tashkent';

/** A new SDK client signed in as `who`. */
export async function signIn(t: TestApp, who: { email: string; password: string } = CEO): Promise<CimsClient> {
  const client = createCimsClient({ baseUrl: t.url });
  await client.login(who);
  return client;
}

/** The app's own database, for arranging what the API cannot (chosen `created_at`, history at chosen times). */
export function db(t: TestApp): EntityManager {
  return t.server.app.context.db.orm.em.fork() as EntityManager;
}

export async function sql(t: TestApp, text: string, params: unknown[] = []) {
  return query(db(t), text, params);
}

export async function userId(t: TestApp, email: string): Promise<number> {
  const [row] = await sql(t, 'select id from app_user where email = ?', [email]);
  return asInt(row?.id);
}

/** Today in Tashkent, and helpers over business days. */
export const tashkent = {
  today: () => DateTime.now().setZone(ZONE).toISODate() as string,
  addDays: (day: string, days: number) => DateTime.fromISO(day, { zone: ZONE }).plus({ days }).toISODate() as string,
  /** 00:00 of a Tashkent day as an instant. */
  start: (day: string) => DateTime.fromISO(day, { zone: ZONE }).startOf('day').toJSDate(),
  monday: (day: string) => DateTime.fromISO(day, { zone: ZONE }).startOf('week').toISODate() as string,
  firstOfMonth: (day: string) => DateTime.fromISO(day, { zone: ZONE }).startOf('month').toISODate() as string,
  dayOf: (instant: Date) => DateTime.fromJSDate(instant, { zone: ZONE }).toISODate() as string,
};

export interface NewCustomer {
  name?: string;
  status?: string;
  platform?: string;
  phone?: string;
  username?: string | null;
  type?: 'local' | 'international' | null;
  priority?: 'critical' | 'high' | 'medium' | 'low' | null;
  createdAt?: Date;
  archivedAt?: Date | null;
  /** Assigned to this sales manager (and recorded as such in the initial history entry). */
  managerId?: number | null;
}

let counter = 0;

/**
 * Inserts a customer as the write side would store it, with its initial history entry and assignment, at a chosen
 * `created_at`; the `customer_counts_*` triggers keep the statistics tables exact.
 */
export async function insertCustomer(t: TestApp, input: NewCustomer = {}): Promise<number> {
  counter += 1;
  const createdAt = input.createdAt ?? new Date();
  const status = input.status ?? 'need_to_call';
  const [row] = await sql(
    t,
    `insert into customer (full_name, platform, username, phone_number, status, customer_type, priority_level,
       conversation_language, source, created_at, updated_at, archived_at)
     values (?, ?, ?, ?, ?, ?, ?, 'uz', 'ui', ?, ?, ?) returning id`,
    [
      input.name ?? `Customer ${counter}`,
      input.platform ?? 'telegram',
      input.username ?? null,
      input.phone ?? `+99890${String(1_000_000 + counter).slice(-7)}`,
      status,
      input.type ?? null,
      input.priority ?? null,
      createdAt.toISOString(),
      createdAt.toISOString(),
      input.archivedAt ? input.archivedAt.toISOString() : null,
    ],
  );
  const id = asInt(row?.id);
  await sql(
    t,
    `insert into customer_status_change (customer_id, from_status, to_status, sales_manager_id, changed_at)
     values (?, null, ?, ?, ?)`,
    [id, status, input.managerId ?? null, createdAt.toISOString()],
  );
  if (input.managerId) {
    await sql(t, 'insert into sales_manager_assignment (customer_id, sales_manager_id, assigned_at) values (?, ?, ?)', [
      id,
      input.managerId,
      createdAt.toISOString(),
    ]);
  }
  return id;
}

/** Moves a customer to `status` at `at`, recording it in the history as the write side does. */
export async function changeStatus(t: TestApp, id: number, status: string, at: Date = new Date()): Promise<void> {
  const [before] = await sql(
    t,
    `select c.status, a.sales_manager_id from customer c left join sales_manager_assignment a on a.customer_id = c.id
      where c.id = ?`,
    [id],
  );
  await sql(t, 'update customer set status = ?, updated_at = ? where id = ?', [status, at.toISOString(), id]);
  await sql(
    t,
    `insert into customer_status_change (customer_id, from_status, to_status, sales_manager_id, changed_at)
     values (?, ?, ?, ?, ?)`,
    [id, before?.status, status, before?.sales_manager_id ?? null, at.toISOString()],
  );
}

export async function archive(t: TestApp, id: number, at: Date = new Date()): Promise<void> {
  await sql(t, 'update customer set archived_at = ? where id = ?', [at.toISOString(), id]);
}

/**
 * A test app with the demo users (a CEO, two sales managers) and no customers: the demo customers seeded with them
 * are deleted (the trigger takes them out of the counts), so every number a test checks is its own.
 */
export async function crmTestApp(): Promise<TestApp> {
  const t = await createTestApp();
  await sql(t, 'delete from customer');
  return t;
}
