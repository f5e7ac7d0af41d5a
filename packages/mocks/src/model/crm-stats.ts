// Over 500 lines: every statistic and report shares the one factory's filters and lookups over the same rows.
import {
  type CustomerType,
  LEGACY_STATUSES,
  leadInsights,
  type PriorityLevel,
  type REPORT_PERIODS,
  reportPage,
  unpagedReportPaging,
  type ValidationIssue,
} from '@cims/contracts';
import { type BusinessTime, CRM_MESSAGES, statusKey } from '@cims/contracts/rules';
import { MockApiError } from '../route-handler.js';
import type { MockCustomer, MockState, MockUser } from '../state.js';
import type { CrmModel } from './crm-model.js';
import { activePages, inPageOrder } from './pages.js';

/** Percent with one decimal; 0 of nothing is 0. */
const percent1 = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part * 1000) / whole) / 10);
/** Percent with two decimals; 0 of nothing is 0. */
const percent2 = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part * 10000) / whole) / 100);

/** A half-open span of time, `[from, to)`, in milliseconds. */
interface Span {
  from: number;
  to: number;
}

const inSpan = (at: number, span: Span) => at >= span.from && at < span.to;

/** What a manager's lead list is asked for (`ManagerLeadsQuerySchema`, parsed). */
interface LeadsQuery {
  page: number;
  limit: number;
  search?: string;
  status?: string;
  priority_level?: PriorityLevel;
  include_archived: boolean;
}

/** `telegram_bot` → `Telegram Bot`. */
const title = (key: string) => key.replace(/_/g, ' ').replace(/\b\w/g, (char) => char.toUpperCase());

function paginate<T>(items: T[], page: number, size: number) {
  return {
    slice: items.slice((page - 1) * size, page * size),
    totalPages: Math.ceil(items.length / size),
  };
}

function queryIssue(field: string, msg: string): MockApiError {
  const issues: ValidationIssue[] = [{ loc: ['query', field], msg, type: 'value_error' }];
  return new MockApiError('VALIDATION_FAILED', issues);
}

/**
 * The CRM's statistics (`docs/crm.md`, "Statistics"), computed from the in-memory data on every request: archived
 * customers are left out (except where a list asks for them), and days, weeks (Monday to Sunday) and months are
 * calendar periods of the business time zone.
 */
export function createCrmStats(state: MockState, crm: CrmModel, time: BusinessTime) {
  /** The span of the whole business days `first` to `last` (`YYYY-MM-DD`, both included). */
  const days = (first: string, last: string): Span => ({
    from: time.startOf(first).getTime(),
    to: time.startOf(time.addDays(last, 1)).getTime(),
  });
  /** N whole days ending today, today included. */
  const lastDays = (n: number): Span => {
    const today = time.today();
    return days(time.addDays(today, -(n - 1)), today);
  };
  const createdIn = (customers: MockCustomer[], span: Span) => customers.filter((c) => inSpan(c.created_at, span));

  /** Customers per status: every active status (in order, zeros included), then any other status in use. */
  function statusCounts(customers: MockCustomer[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const status of crm.activeStatuses()) counts[status.name] = 0;
    for (const customer of customers) counts[customer.status] = (counts[customer.status] ?? 0) + 1;
    return counts;
  }

  function statusPercentages(counts: Record<string, number>, total: number): Record<string, number> {
    return Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, percent1(count, total)]));
  }

  /** The six legacy statuses as keys (zeros included), as the legacy statistics had them. */
  function legacyCounts(counts: Record<string, number>) {
    return Object.fromEntries(LEGACY_STATUSES.map((name) => [name, counts[name] ?? 0])) as Record<
      (typeof LEGACY_STATUSES)[number],
      number
    >;
  }

  /** `total_customers` and the six legacy statuses as keys. */
  const legacyStats = (counts: Record<string, number>, total: number) => ({
    total_customers: total,
    ...legacyCounts(counts),
  });

  function periodStats(customers: MockCustomer[]) {
    const today = time.today();
    const since = (start: string) => createdIn(customers, days(start, today));
    return {
      today: since(today).length,
      this_week: since(time.mondayOf(today)).length,
      this_month: since(time.firstOfMonth(today)).length,
      last_3_months: since(time.addDays(today, -89)).length,
      last_6_months: since(time.addDays(today, -179)).length,
      last_year: since(time.addDays(today, -364)).length,
    };
  }

  /** Part of the name, phone, username, platform, assistant or status name, any case. */
  function matches(customer: MockCustomer, search: string | undefined): boolean {
    if (!search) return true;
    const wanted = search.toLowerCase();
    return [
      customer.full_name,
      customer.phone_number,
      customer.username,
      customer.platform,
      customer.assistant_name,
      customer.status,
    ].some((value) => value?.toLowerCase().includes(wanted));
  }

  /** A status filter as typed: the status it names (any case), or what was typed, lower case (matching nothing). */
  const statusFilter = (value: string | undefined) =>
    value === undefined ? undefined : (crm.statusNamed(value)?.name ?? statusKey(value));

  const category = (name: string) => crm.statusNamed(name)?.category;

  function ofType(customers: MockCustomer[], type: CustomerType | undefined) {
    if (type === undefined) return customers;
    // Customers without a type count as local, as in the legacy statistics.
    return customers.filter((c) => (type === 'local' ? c.customer_type !== 'international' : c.customer_type === type));
  }

  function salesSummary(customers: MockCustomer[]) {
    const today = time.today();
    const week = time.mondayOf(today);
    const count = (span: Span) => createdIn(customers, span).length;
    return {
      today: count(days(today, today)),
      yesterday: count(days(time.addDays(today, -1), time.addDays(today, -1))),
      this_week: count(days(week, today)),
      last_week: count(days(time.addDays(week, -7), time.addDays(week, -1))),
    };
  }

  /** Every day of the span, oldest first, with how many customers were created on it. */
  function perDay(customers: MockCustomer[], first: string, count: number) {
    const tally = new Map<string, number>();
    for (const customer of customers) {
      const key = time.dayOf(customer.created_at);
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    return Array.from({ length: count }, (_, i) => {
      const date = time.addDays(first, i);
      return { date, count: tally.get(date) ?? 0 };
    });
  }

  function distribution(entries: Array<{ key: string; label: string; value: number }>, total: number) {
    return entries.map((entry) => ({ ...entry, percentage: percent2(entry.value, total) }));
  }

  function statsOf(manager: MockUser, includeArchived: boolean) {
    const all = crm.assignedTo(manager.id, true).map(({ customer }) => customer);
    const active = all.filter((customer) => customer.archived_at === null);
    const counted = includeArchived ? all : active;
    const tally = new Map<string, number>();
    for (const customer of counted) tally.set(customer.status, (tally.get(customer.status) ?? 0) + 1);
    const status_stats = [...tally]
      .map(([status, count]) => ({ status, count }))
      .sort((a, b) => b.count - a.count || (a.status < b.status ? -1 : a.status > b.status ? 1 : 0));
    return {
      sales_manager: crm.managerRef(manager),
      summary: {
        total_assigned: all.length,
        active_leads: active.length,
        archived_leads: all.length - active.length,
        counted_leads: counted.length,
      },
      status_stats,
    };
  }

  function leadsOf(manager: MockUser, query: LeadsQuery) {
    const notes = new Map<number, string[]>();
    for (const note of state.crm.notes.values()) {
      notes.set(note.customer_id, [...(notes.get(note.customer_id) ?? []), note.note]);
    }
    const wantedStatus = query.status?.toLowerCase().replace(/\s+/g, '_');
    const search = query.search?.toLowerCase();
    const items = crm
      .assignedTo(manager.id, query.include_archived)
      .map(({ customer, assignment }) => ({
        customer,
        assignment,
        insights: leadInsights(customer.notes, notes.get(customer.id) ?? []),
      }))
      .filter(({ customer, insights }) => {
        if (wantedStatus && customer.status !== wantedStatus) return false;
        if (query.priority_level && insights.priority_level !== query.priority_level) return false;
        if (!search) return true;
        return [customer.full_name, customer.phone_number, customer.username].some((value) =>
          value?.toLowerCase().includes(search),
        );
      });
    const { slice } = paginate(items, query.page, query.limit);
    return {
      sales_manager: crm.managerRef(manager),
      total_count: items.length,
      page: query.page,
      limit: query.limit,
      items: slice.map(({ customer, assignment, insights }) => ({
        id: customer.id,
        full_name: customer.full_name,
        phone_number: customer.phone_number,
        platform: customer.platform,
        username: customer.username,
        status: customer.status,
        status_name: customer.status,
        priority_level: insights.priority_level,
        priority_score: insights.priority_score,
        importance_score: insights.importance_score,
        industry: insights.industry,
        is_archived: customer.archived_at !== null,
        created_at: time.format(customer.created_at),
        assigned_at: time.format(assignment.assigned_at),
      })),
    };
  }

  /**
   * The manager the activity statistics are about: a sales manager's own (another `sales_manager_id` is `403`); for
   * the CEO the one named, or the only active one.
   */
  function activityManager(caller: MockUser, id: number | undefined): MockUser {
    if (caller.role !== 'CEO') {
      return id === undefined ? caller : crm.managerFor(caller, id);
    }
    if (id !== undefined) return crm.managerFor(caller, id);
    const managers = crm.activeManagers();
    const only = managers[0];
    if (!only) throw new MockApiError('NOT_FOUND', CRM_MESSAGES.noActiveManager);
    if (managers.length > 1) {
      throw new MockApiError('VALIDATION_FAILED', [
        {
          loc: ['query', 'sales_manager_id'],
          msg: CRM_MESSAGES.severalManagers,
          type: 'missing',
        },
      ]);
    }
    return only;
  }

  return {
    /**
     * A manager's customers, for the CEO or that manager (`403` for anyone else, `404` for no such active manager),
     * like the server's `SalesManagerService.customers(scope, managerId, query)`.
     */
    managerLeads(caller: MockUser, managerId: number, query: LeadsQuery) {
      return leadsOf(crm.managerFor(caller, managerId), query);
    },

    /** A manager's customers per status, for the CEO or that manager, like the server's `stats(scope, managerId, query)`. */
    managerStats(caller: MockUser, managerId: number, query: { include_archived: boolean }) {
      return statsOf(crm.managerFor(caller, managerId), query.include_archived);
    },

    dashboard(
      caller: MockUser,
      query: { page: number; page_size: number; show_all: boolean; search?: string; status_filter?: string },
    ) {
      const live = crm.liveCustomers();
      const wanted = statusFilter(query.status_filter);
      const shown = live.filter((customer) => {
        if (wanted) return customer.status === wanted;
        return query.show_all || category(customer.status) !== 'lost';
      });
      const found = shown.filter((customer) => matches(customer, query.search));
      const { slice, totalPages } = paginate(found, query.page, query.page_size);
      const counts = statusCounts(live);
      const pages =
        caller.role === 'CEO' ? activePages(state) : inPageOrder(state, caller.pages).filter((page) => page.is_active);
      return {
        customers: crm.serveCustomers(slice),
        page: query.page,
        page_size: query.page_size,
        total_items: found.length,
        total_pages: totalPages,
        status_stats: { ...counts, ...legacyStats(counts, live.length) },
        status_dict: counts,
        status_percentages: statusPercentages(counts, live.length),
        status_choices: crm.activeStatuses().map((status) => ({
          value: status.name,
          label: status.display_name,
          color: status.color,
          category: status.category,
        })),
        permissions: pages.map((page) => page.display_name),
        selected_status: wanted ?? null,
        period_stats: periodStats(live),
      };
    },

    stats() {
      const live = crm.liveCustomers();
      const counts = statusCounts(live);
      return {
        ...legacyStats(counts, live.length),
        status_dict: counts,
        status_percentages: statusPercentages(counts, live.length),
      };
    },

    periodStats: () => ({ period_stats: periodStats(crm.liveCustomers()), generated_at: time.format(time.now()) }),

    summary() {
      const live = crm.liveCustomers();
      const window = (n: number) => {
        const created = createdIn(live, lastDays(n));
        const counts = statusCounts(created);
        return {
          total_customers: created.length,
          status_stats: counts,
          status_percentages: statusPercentages(counts, created.length),
        };
      };
      return {
        generated_at: time.format(time.now()),
        today: window(1),
        last_3_days: window(3),
        last_7_days: window(7),
        last_30_days: window(30),
        last_90_days: window(90),
      };
    },

    report(query: {
      period: (typeof REPORT_PERIODS)[number];
      from_date?: string;
      to_date?: string;
      search?: string;
      status_filter?: string;
      page?: number;
      page_size?: number;
    }) {
      const today = time.today();
      const custom = query.from_date !== undefined && query.to_date !== undefined;
      const first = custom ? (query.from_date ?? '') : time.addDays(today, -(Number.parseInt(query.period, 10) - 1));
      const last = custom ? (query.to_date ?? '') : today;
      const wanted = statusFilter(query.status_filter);
      const found = createdIn(crm.liveCustomers(), days(first, last)).filter(
        (customer) => (!wanted || customer.status === wanted) && matches(customer, query.search),
      );
      // Without page and page_size: every customer of the period, as the legacy client expects.
      const paging = reportPage(query);
      const shown = paging ? paginate(found, paging.page, paging.page_size) : undefined;
      const counts = statusCounts(found);
      return {
        period: custom ? 'custom' : query.period,
        from_date: first,
        to_date: last,
        total_customers: found.length,
        ...(paging && shown
          ? { page: paging.page, page_size: paging.page_size, total_pages: shown.totalPages }
          : unpagedReportPaging(found.length)),
        customers: crm.serveCustomers(shown ? shown.slice : found),
        status_stats: { ...legacyCounts(counts), ...counts },
        status_dict: counts,
        status_percentages: statusPercentages(counts, found.length),
      };
    },

    latest: (limit: number) => crm.serveCustomers(crm.liveCustomers().slice(0, limit)),

    /** A page of the non-archived customers that pass `keep`, newest first (the server's `filter(filter, page)`). */
    filtered(keep: (customer: MockCustomer) => boolean, { limit, offset }: { limit: number; offset: number }) {
      return crm.serveCustomers(
        crm
          .liveCustomers()
          .filter(keep)
          .slice(offset, offset + limit),
      );
    },

    /** Customers created on the days `start` to `end` (business time zone, both included). */
    createdOn(start: string, end: string) {
      const span = days(start, end);
      return (customer: MockCustomer) => inSpan(customer.created_at, span);
    },

    /** Of the newest `limit` customers, those that have ever been in a `won` status (from the history). */
    conversion(limit: number) {
      const newest = crm.liveCustomers().slice(0, limit);
      const reached = new Map<number, Set<string>>();
      for (const customer of newest) reached.set(customer.id, new Set([customer.status]));
      for (const change of state.crm.statusHistory.values()) reached.get(change.customer_id)?.add(change.to_status);
      let projectStarted = 0;
      let converted = 0;
      for (const statuses of reached.values()) {
        if (statuses.has('project_started')) projectStarted++;
        if ([...statuses].some((name) => category(name) === 'won')) converted++;
      }
      return {
        total_customers: newest.length,
        project_started_count: projectStarted,
        converted_count: converted,
        conversion_rate: percent2(converted, newest.length),
        period: CRM_MESSAGES.lastCustomers(limit),
      };
    },

    /**
     * Status changes (not the status a customer was created with) in the period on non-archived customers that were
     * assigned to the manager at the time of the change, per target status and per day.
     */
    activity(caller: MockUser, query: { sales_manager_id?: number; from_date?: string; to_date?: string }) {
      const manager = activityManager(caller, query.sales_manager_id);
      const today = time.today();
      const first = query.from_date ?? today;
      const last = query.to_date ?? today;
      if (first > last) throw queryIssue('from_date', 'from_date is after to_date');
      const span = days(first, last);
      const changes = [...state.crm.statusHistory.values()].filter((change) => {
        const customer = state.crm.customers.get(change.customer_id);
        return (
          change.from_status !== null &&
          change.sales_manager_id === manager.id &&
          customer?.archived_at === null &&
          inSpan(change.changed_at, span)
        );
      });
      const zeros = () => Object.fromEntries(crm.activeStatuses().map((status) => [status.name, 0]));
      const toCounts = zeros();
      const daily = new Map<string, { total: number; counts: Record<string, number> }>();
      for (const change of changes) {
        toCounts[change.to_status] = (toCounts[change.to_status] ?? 0) + 1;
        const key = time.dayOf(change.changed_at);
        const day = daily.get(key) ?? { total: 0, counts: zeros() };
        day.total++;
        day.counts[change.to_status] = (day.counts[change.to_status] ?? 0) + 1;
        daily.set(key, day);
      }
      const total = changes.length;
      const into = (test: (name: string) => boolean) => changes.filter((change) => test(change.to_status)).length;
      return {
        sales_manager: crm.managerRef(manager),
        period: { from_date: first, to_date: last, timezone: time.zone },
        summary: {
          assigned_customers: crm.assignedTo(manager.id, false).length,
          changed_customers: new Set(changes.map((change) => change.customer_id)).size,
          total_status_changes: total,
          to_status_counts: toCounts,
          conversion_to_project_started_percent: percent2(
            into((name) => name === 'project_started'),
            total,
          ),
          won_rate_percent: percent2(
            into((name) => category(name) === 'won'),
            total,
          ),
          finish_rate_percent: percent2(
            into((name) => name === 'finished'),
            total,
          ),
        },
        // The days with changes, oldest first.
        daily_stats: [...daily]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([date, day]) => ({ date, total_changes: day.total, to_status_counts: day.counts })),
      };
    },

    // ---------------------------------------------------------------------------------------------- /sales

    salesStats(type: CustomerType | undefined) {
      return { ...salesSummary(ofType(crm.liveCustomers(), type)), customer_type: type ?? null };
    },

    salesDetailed({ days: daysBack, customer_type: type }: { days: number; customer_type?: CustomerType | undefined }) {
      const customers = ofType(crm.liveCustomers(), type);
      const today = time.today();
      const first = time.addDays(today, -(daysBack - 1));
      return {
        summary: { ...salesSummary(customers), customer_type: type ?? null },
        daily_breakdown: perDay(createdIn(customers, days(first, today)), first, daysBack),
        date_range: `${first} to ${today}`,
      };
    },

    /** The period's new customers: trend, summary and distributions; conversion is the share now in a `won` status. */
    charts({
      days: daysBack,
      customer_type: type,
      platform_limit: platformLimit,
    }: {
      days: number;
      customer_type?: CustomerType | undefined;
      platform_limit: number;
    }) {
      const customers = ofType(crm.liveCustomers(), type);
      const today = time.today();
      const first = time.addDays(today, -(daysBack - 1));
      const period = createdIn(customers, days(first, today));
      const total = period.length;
      const inStatus = (name: string) => period.filter((customer) => customer.status === name).length;
      const statusCount = statusCounts(period);
      const order = new Map(crm.statusesInOrder().map((status, i) => [status.name, i]));
      const platforms = new Map<string, number>();
      for (const customer of period) platforms.set(customer.platform, (platforms.get(customer.platform) ?? 0) + 1);
      const international = period.filter((customer) => customer.customer_type === 'international').length;
      return {
        customer_type: type ?? null,
        period: { start_date: first, end_date: today, days: daysBack },
        summary: {
          total_period_leads: total,
          ...salesSummary(customers),
          project_started: inStatus('project_started'),
          finished: inStatus('finished'),
          rejected: inStatus('rejected'),
          conversion_rate_percent: percent2(
            period.filter((customer) => category(customer.status) === 'won').length,
            total,
          ),
        },
        trend: perDay(period, first, daysBack),
        // The statuses the period's customers are in, most first (then in status order).
        status_distribution: distribution(
          Object.entries(statusCount)
            .filter(([, value]) => value > 0)
            .sort(
              ([a, x], [b, y]) => y - x || (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || (a < b ? -1 : 1),
            )
            .map(([key, value]) => ({ key, label: crm.statusNamed(key)?.display_name ?? title(key), value })),
          total,
        ),
        platform_distribution: distribution(
          [...platforms]
            .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
            .slice(0, platformLimit)
            .map(([key, value]) => ({ key, label: title(key), value })),
          total,
        ),
        customer_type_distribution: distribution(
          [
            { key: 'local', label: 'Local', value: total - international },
            { key: 'international', label: 'International', value: international },
          ],
          total,
        ),
      };
    },

    international(limit: number) {
      return crm.serveCustomers(
        crm
          .liveCustomers()
          .filter((customer) => customer.customer_type === 'international')
          .slice(0, limit),
      );
    },
  };
}

/** The CRM statistics of one mock API. */
export type CrmStats = ReturnType<typeof createCrmStats>;
