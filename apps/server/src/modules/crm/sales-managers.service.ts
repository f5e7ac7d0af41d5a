import type {
  AssignInputSchema,
  AssignmentSchema,
  ConversionRateSchema,
  CustomerManagerSchema,
  ManagerActivityQuerySchema,
  ManagerActivitySchema,
  ManagerLeadsQuerySchema,
  ManagerLeadsSchema,
  ManagerRefSchema,
  ManagerStatsQuerySchema,
  ManagerStatsSchema,
  PriorityLevel,
  SalesManagerSchema,
} from '@cims/contracts';
import { CRM_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import type { Orm } from '../../db/orm.js';
import { asDate, asInt, query, type Row, transaction } from '../../db/sql.js';
import { ApiError, ValidationError } from '../../errors.js';
import { writeAudit } from '../audit/audit.js';
import type { Caller, RequestScope } from '../auth/caller.js';
import type { BusinessTime } from './business-time.js';
import { countMap, countsRecord, loadStatuses, percent, searchCondition, totalOf } from './status-counts.js';

type ManagerRef = z.output<typeof ManagerRefSchema>;
type SalesManager = z.output<typeof SalesManagerSchema>;
type ManagerLeadsQuery = z.output<typeof ManagerLeadsQuerySchema>;
type ManagerLeads = z.output<typeof ManagerLeadsSchema>;
type ManagerStatsQuery = z.output<typeof ManagerStatsQuerySchema>;
type ManagerStats = z.output<typeof ManagerStatsSchema>;
type AssignInput = z.output<typeof AssignInputSchema>;
type Assignment = z.output<typeof AssignmentSchema>;
type CustomerManager = z.output<typeof CustomerManagerSchema>;
type ConversionRate = z.output<typeof ConversionRateSchema>;
type ManagerActivityQuery = z.output<typeof ManagerActivityQuerySchema>;
type ManagerActivity = z.output<typeof ManagerActivitySchema>;

const MANAGER_NOT_FOUND = () => new ApiError('NOT_FOUND', CRM_MESSAGES.managerNotFound);
const NOT_YOURS = () => new ApiError('FORBIDDEN', CRM_MESSAGES.otherManagersData);

/** A sales manager is an active user with the role `SalesManager` (docs/crm.md). */
const IS_MANAGER = `u.role = 'SalesManager' and u.is_active`;

/** What a lead list searches: the name, the phone number and the username. */
const LEAD_SEARCH = `lower(c.full_name || ' ' || c.phone_number || ' ' || coalesce(c.username, ''))`;

function toManagerRef(row: Row): ManagerRef {
  return { id: asInt(row.id), email: String(row.email), name: String(row.name), surname: String(row.surname) };
}

/**
 * Sales managers: their load, their customers and statistics, assignment by the CEO, conversion, and what happened to
 * a manager's customers in a period (from the status history). Everything is counted and paged in SQL.
 */
export class SalesManagerService {
  constructor(
    readonly orm: Orm,
    readonly time: BusinessTime,
  ) {}

  #em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** The active sales manager `id`, or 404. */
  async #manager(em: EntityManager, id: number): Promise<ManagerRef> {
    const [row] = await query(
      em,
      `select u.id, u.email, u.name, u.surname from app_user u where u.id = ? and ${IS_MANAGER}`,
      [id],
    );
    if (!row) throw MANAGER_NOT_FOUND();
    return toManagerRef(row);
  }

  /** The CEO may read any manager's data; a sales manager only their own (403 before anything is looked up). */
  #mayRead(managerId: number, caller: Caller): void {
    if (caller.role === 'CEO') return;
    if (caller.role === 'SalesManager' && caller.userId === managerId) return;
    throw NOT_YOURS();
  }

  /** Active sales managers by name, with how many customers each has now (archived ones included). */
  async list(): Promise<SalesManager[]> {
    const rows = await query(
      this.#em(),
      `select u.id, u.email, u.name, u.surname, count(a.id) as assigned
         from app_user u left join sales_manager_assignment a on a.sales_manager_id = u.id
        where ${IS_MANAGER}
        group by u.id
        order by u.name, u.surname, u.id`,
    );
    return rows.map((row) => ({ ...toManagerRef(row), assigned_leads_count: asInt(row.assigned) }));
  }

  /** A manager's customers, newest assignment first, filtered and paged in SQL. */
  async customers(
    { caller }: Pick<RequestScope, 'caller'>,
    managerId: number,
    q: ManagerLeadsQuery,
  ): Promise<ManagerLeads> {
    this.#mayRead(managerId, caller);
    const em = this.#em();
    const manager = await this.#manager(em, managerId);
    const parts = ['a.sales_manager_id = ?'];
    const params: unknown[] = [managerId];
    if (!q.include_archived) parts.push('c.archived_at is null');
    if (q.search) {
      const search = searchCondition(LEAD_SEARCH, q.search);
      parts.push(search.sql);
      params.push(...search.params);
    }
    if (q.status) {
      parts.push('lower(c.status) = ?');
      params.push(q.status.toLowerCase().replace(/\s+/g, '_'));
    }
    if (q.priority_level) {
      parts.push('c.priority_level = ?');
      params.push(q.priority_level);
    }
    const from = `sales_manager_assignment a join customer c on c.id = a.customer_id where ${parts.join(' and ')}`;
    const [[count], rows] = await Promise.all([
      query(em, `select count(*) as n from ${from}`, params),
      query(
        em,
        `select c.id, c.full_name, c.phone_number, c.platform, c.username, c.status, c.priority_level, c.priority_score,
                c.importance_score, c.industry, c.archived_at, c.created_at, a.assigned_at
           from ${from}
          order by a.assigned_at desc, c.created_at desc, c.id desc limit ? offset ?`,
        [...params, q.limit, (q.page - 1) * q.limit],
      ),
    ]);
    const intOrNull = (value: unknown) => (value === null || value === undefined ? null : asInt(value));
    return {
      sales_manager: manager,
      total_count: asInt(count?.n ?? 0),
      page: q.page,
      limit: q.limit,
      items: rows.map((row) => ({
        id: asInt(row.id),
        full_name: String(row.full_name),
        phone_number: String(row.phone_number),
        platform: String(row.platform),
        username: (row.username as string | null) ?? null,
        status: String(row.status),
        status_name: String(row.status),
        priority_level: (row.priority_level as PriorityLevel | null) ?? null,
        priority_score: intOrNull(row.priority_score),
        importance_score: intOrNull(row.importance_score),
        industry: (row.industry as string | null) ?? null,
        is_archived: row.archived_at !== null && row.archived_at !== undefined,
        created_at: this.time.format(asDate(row.created_at)),
        assigned_at: this.time.format(asDate(row.assigned_at)),
      })),
    };
  }

  /** A manager's customers per status (most used first), with the assigned / active / archived totals. */
  async stats(
    { caller }: Pick<RequestScope, 'caller'>,
    managerId: number,
    q: ManagerStatsQuery,
  ): Promise<ManagerStats> {
    this.#mayRead(managerId, caller);
    const em = this.#em();
    const manager = await this.#manager(em, managerId);
    const rows = await query(
      em,
      `select c.status, count(*) filter (where c.archived_at is null) as active,
              count(*) filter (where c.archived_at is not null) as archived
         from sales_manager_assignment a join customer c on c.id = a.customer_id
        where a.sales_manager_id = ? group by c.status`,
      [managerId],
    );
    let active = 0;
    let archived = 0;
    const statusStats: { status: string; count: number }[] = [];
    for (const row of rows) {
      const a = asInt(row.active);
      const b = asInt(row.archived);
      active += a;
      archived += b;
      const count = q.include_archived ? a + b : a;
      if (count > 0) statusStats.push({ status: String(row.status), count });
    }
    statusStats.sort((x, y) => y.count - x.count || (x.status < y.status ? -1 : x.status > y.status ? 1 : 0));
    return {
      sales_manager: manager,
      summary: {
        total_assigned: active + archived,
        active_leads: active,
        archived_leads: archived,
        counted_leads: statusStats.reduce((sum, s) => sum + s.count, 0),
      },
      status_stats: statusStats,
    };
  }

  /**
   * Assigns a customer (archived or not) to an active sales manager, replacing any current assignment in one
   * `insert … on conflict` (the customer's single assignment row), audited as `assign` or `reassign`.
   */
  async assign({ caller, info }: RequestScope, input: AssignInput): Promise<Assignment> {
    return transaction(this.#em(), async (em) => {
      const [manager] = await query(em, `select u.id from app_user u where u.id = ? and ${IS_MANAGER} for share`, [
        input.sales_manager_id,
      ]);
      if (!manager) throw MANAGER_NOT_FOUND();
      const [customer] = await query(em, 'select id from customer where id = ? for share', [input.customer_id]);
      if (!customer) throw new ApiError('NOT_FOUND', CRM_MESSAGES.customerNotFound);
      const [before] = await query(
        em,
        'select sales_manager_id from sales_manager_assignment where customer_id = ? for update',
        [input.customer_id],
      );
      const [row] = await query(
        em,
        `insert into sales_manager_assignment (customer_id, sales_manager_id, assigned_by, assigned_at)
         values (?, ?, ?, now())
         on conflict (customer_id) do update
           set sales_manager_id = excluded.sales_manager_id, assigned_by = excluded.assigned_by,
               assigned_at = excluded.assigned_at
         returning id, customer_id, sales_manager_id, assigned_by, assigned_at`,
        [input.customer_id, input.sales_manager_id, caller.userId],
      );
      if (!row) throw new Error('The assignment upsert returned no row');
      const previous = before ? asInt(before.sales_manager_id) : null;
      await writeAudit(
        em,
        {
          module: 'crm',
          actorUserId: caller.userId,
          entityType: 'customer',
          entityId: input.customer_id,
          action: before ? 'reassign' : 'assign',
          summary: before
            ? `Customer ${input.customer_id} reassigned from sales manager ${previous} to ${input.sales_manager_id}`
            : `Customer ${input.customer_id} assigned to sales manager ${input.sales_manager_id}`,
          data: { sales_manager_id: input.sales_manager_id, previous_sales_manager_id: previous },
        },
        info,
      );
      return {
        id: asInt(row.id),
        customer_id: asInt(row.customer_id),
        sales_manager_id: asInt(row.sales_manager_id),
        assigned_at: this.time.format(asDate(row.assigned_at)),
        assigned_by: row.assigned_by === null ? null : asInt(row.assigned_by),
        is_active: true,
      };
    });
  }

  /** Who a customer is assigned to; 404 when nobody, or when the customer is archived and the caller not the CEO. */
  async ofCustomer({ caller }: Pick<RequestScope, 'caller'>, customerId: number): Promise<CustomerManager> {
    const [row] = await query(
      this.#em(),
      `select a.id as assignment_id, a.customer_id, a.assigned_at, a.assigned_by, u.id, u.email, u.name, u.surname
         from sales_manager_assignment a
         join app_user u on u.id = a.sales_manager_id
         join customer c on c.id = a.customer_id
        where a.customer_id = ? and (c.archived_at is null or ?)`,
      [customerId, caller.role === 'CEO'],
    );
    if (!row) throw new ApiError('NOT_FOUND', CRM_MESSAGES.noManagerAssigned);
    return {
      assignment_id: asInt(row.assignment_id),
      customer_id: asInt(row.customer_id),
      sales_manager: toManagerRef(row),
      assigned_at: this.time.format(asDate(row.assigned_at)),
      assigned_by: row.assigned_by === null ? null : asInt(row.assigned_by),
    };
  }

  /**
   * Of the newest `limit` non-archived customers, those that have ever been in a `won` status (the status history,
   * and the current status) and those that have ever been in `project_started`.
   */
  async conversionRate(limit: number): Promise<ConversionRate> {
    const [row] = await query(
      this.#em(),
      `with recent as (
         select c.id, c.status from customer c where c.archived_at is null
          order by c.created_at desc, c.id desc limit ?
       )
       select count(*) as total,
              count(*) filter (where exists (
                select 1 from customer_status s
                 where s.category = 'won'
                   and (s.name = r.status
                        or exists (select 1 from customer_status_change h where h.customer_id = r.id and h.to_status = s.name))
              )) as converted,
              count(*) filter (where r.status = 'project_started' or exists (
                select 1 from customer_status_change h where h.customer_id = r.id and h.to_status = 'project_started'
              )) as project_started
         from recent r`,
      [limit],
    );
    const total = asInt(row?.total ?? 0);
    const converted = asInt(row?.converted ?? 0);
    return {
      total_customers: total,
      project_started_count: asInt(row?.project_started ?? 0),
      converted_count: converted,
      conversion_rate: percent(converted, total, 2),
      period: CRM_MESSAGES.lastCustomers(limit),
    };
  }

  /** The manager `GET /crm/sales-manager/stats` is about: the one named, the caller, or the CEO's only manager. */
  async #activityManager(em: EntityManager, requested: number | undefined, caller: Caller): Promise<ManagerRef> {
    if (requested !== undefined) {
      this.#mayRead(requested, caller);
      return this.#manager(em, requested);
    }
    if (caller.role === 'SalesManager') return this.#manager(em, caller.userId);
    if (caller.role !== 'CEO') throw new ApiError('FORBIDDEN', 'Only for sales managers and the CEO');
    const managers = await query(
      em,
      `select u.id, u.email, u.name, u.surname from app_user u where ${IS_MANAGER} order by u.id limit 2`,
    );
    const [only] = managers;
    if (!only) throw new ApiError('NOT_FOUND', CRM_MESSAGES.noActiveManager);
    if (managers.length > 1) {
      throw new ValidationError([
        {
          loc: ['query', 'sales_manager_id'],
          msg: CRM_MESSAGES.severalManagers,
          type: 'missing',
        },
      ]);
    }
    return toManagerRef(only);
  }

  /**
   * Status changes in a period (business days, both ends included) on the customers the manager had at the time of
   * each change, from the status history: per target status and per day. The status a customer was created with is
   * not a change; archived customers are left out, like in every statistic.
   */
  async activity({ caller }: Pick<RequestScope, 'caller'>, q: ManagerActivityQuery): Promise<ManagerActivity> {
    const time = this.time;
    const today = time.today();
    const from = q.from_date ?? today;
    const to = q.to_date ?? today;
    if (from > to) {
      throw new ValidationError([
        { loc: ['query', 'from_date'], msg: 'from_date is after to_date', type: 'value_error' },
      ]);
    }
    const em = this.#em();
    const manager = await this.#activityManager(em, q.sales_manager_id, caller);
    const changes = `customer_status_change h join customer c on c.id = h.customer_id
      where h.sales_manager_id = ? and h.changed_at >= ? and h.changed_at < ?
        and h.from_status is not null and c.archived_at is null`;
    const params = [manager.id, time.startOf(from).toISOString(), time.startOf(time.addDays(to, 1)).toISOString()];
    const [statuses, perDay, [totals]] = await Promise.all([
      loadStatuses(em),
      query(
        em,
        `select cast(cast(h.changed_at at time zone ? as date) as text) as day, h.to_status as status, count(*) as n
           from ${changes} group by 1, 2`,
        [time.zone, ...params],
      ),
      query(
        em,
        `select (select count(distinct h.customer_id) from ${changes}) as changed,
                (select count(*) from sales_manager_assignment a join customer c on c.id = a.customer_id
                  where a.sales_manager_id = ? and c.archived_at is null) as assigned`,
        [...params, manager.id],
      ),
    ]);
    const counts = countMap(perDay);
    const total = totalOf(counts);
    const wonNames = new Set(statuses.filter((s) => s.category === 'won').map((s) => s.name));
    const won = [...counts].reduce((sum, [name, n]) => sum + (wonNames.has(name) ? n : 0), 0);
    const days = [...new Set(perDay.map((row) => String(row.day)))].sort();
    return {
      sales_manager: manager,
      period: { from_date: from, to_date: to, timezone: time.zone },
      summary: {
        assigned_customers: asInt(totals?.assigned ?? 0),
        changed_customers: asInt(totals?.changed ?? 0),
        total_status_changes: total,
        to_status_counts: countsRecord(statuses, counts),
        conversion_to_project_started_percent: percent(counts.get('project_started') ?? 0, total, 2),
        won_rate_percent: percent(won, total, 2),
        finish_rate_percent: percent(counts.get('finished') ?? 0, total, 2),
      },
      daily_stats: days.map((date) => {
        const ofDay = countMap(perDay.filter((row) => String(row.day) === date));
        return { date, total_changes: totalOf(ofDay), to_status_counts: countsRecord(statuses, ofDay) };
      }),
    };
  }
}
