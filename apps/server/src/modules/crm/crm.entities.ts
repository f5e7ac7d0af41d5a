import { defineEntity } from '@mikro-orm/core';
import { UserEntity } from '../auth/auth.entities.js';

const now = () => new Date();

/**
 * A customer status. `name` is what customers carry (a foreign key, so a status in use cannot vanish); the label,
 * colour, order, category and activity can change. The six legacy statuses are system statuses.
 */
export const CustomerStatusEntity = defineEntity({
  name: 'CustomerStatus',
  tableName: 'customer_status',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    name: p.string().length(100).unique(),
    displayName: p.string().length(255),
    description: p.text().nullable(),
    color: p.string().length(7).nullable(),
    sortOrder: p.integer().default(0),
    /** `open`, `won` or `lost`. */
    category: p.string().length(8).default('open'),
    isActive: p.boolean().default(true),
    isSystem: p.boolean().default(false),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
  }),
});

/**
 * The text the CRM search looks in, lower-cased. It is kept in the stored generated column `search_text` (PostgreSQL
 * recomputes it on every insert and update), which a trigram index makes fast for `like`: a search then reads the
 * column of each candidate row instead of building and lower-casing this concatenation for it. The casts of the
 * nullable columns are the ones PostgreSQL writes back, so the schema diff sees no change.
 */
export const CUSTOMER_SEARCH_EXPRESSION = `lower("full_name" || ' ' || "phone_number" || ' ' || coalesce("username"::text, '') || ' ' || "platform" || ' ' || coalesce("assistant_name"::text, '') || ' ' || "status")`;

/** A customer (lead). `archived_at` set = archived (soft-deleted). */
export const CustomerEntity = defineEntity({
  name: 'Customer',
  tableName: 'customer',
  // The instants the API accepts (INSTANT_RANGE of @cims/contracts: 1970-01-01T00:00:00Z up to 3000-01-01T00:00:00Z),
  // in Unix seconds: a timestamptz literal would be stored rewritten in the session's time zone, and the schema diff
  // would see a change wherever that differs. See Migration20261206080000.
  checks: [
    {
      name: 'customer_recall_time_range',
      expression: 'extract(epoch from recall_time) >= 0 and extract(epoch from recall_time) < 32503680000',
    },
  ],
  indexes: [
    {
      name: 'customer_live_created_index',
      expression:
        'create index "customer_live_created_index" on "customer" ("created_at" desc, "id" desc) where "archived_at" is null',
    },
    {
      name: 'customer_live_status_created_index',
      expression:
        'create index "customer_live_status_created_index" on "customer" ("status", "created_at" desc, "id" desc) where "archived_at" is null',
    },
    {
      name: 'customer_live_platform_created_index',
      expression:
        'create index "customer_live_platform_created_index" on "customer" ("platform", "created_at" desc, "id" desc) where "archived_at" is null',
    },
    {
      name: 'customer_live_type_created_index',
      expression:
        'create index "customer_live_type_created_index" on "customer" ("customer_type", "created_at" desc, "id" desc) where "archived_at" is null',
    },
    {
      name: 'customer_archived_index',
      expression:
        'create index "customer_archived_index" on "customer" ("archived_at" desc, "id" desc) where "archived_at" is not null',
    },
    {
      name: 'customer_search_trgm_index',
      expression: 'create index "customer_search_trgm_index" on "customer" using gin ("search_text" gin_trgm_ops)',
    },
  ],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    /** Up to 255 characters on input; up to 500 for customers imported from the legacy CIMS. */
    fullName: p.string().length(500),
    /** A key of the contract's `PLATFORMS`, or the free text a legacy customer was imported with. */
    platform: p.string().length(255),
    username: p.string().length(255).nullable(),
    /** E.164 where it could be parsed; an imported legacy customer keeps the number it had (up to 500 characters). */
    phoneNumber: p.string().length(500),
    status: p
      .manyToOne(CustomerStatusEntity)
      .joinColumn('status')
      .columnType('varchar(100)')
      .referencedColumnNames('name')
      .deleteRule('restrict')
      .updateRule('cascade'),
    /** `local`, `international` or null. */
    customerType: p.string().length(16).nullable(),
    assistantName: p.string().length(255).nullable(),
    chatUrl: p.string().length(1000).nullable(),
    notes: p.text().nullable(),
    aisummary: p.text().nullable(),
    importanceScore: p.integer().nullable(),
    priorityScore: p.integer().nullable(),
    priorityLevel: p.string().length(16).nullable(),
    priorityReason: p.text().nullable(),
    industry: p.string().length(100).nullable(),
    businessAgeYears: p.integer().nullable(),
    /** The recording's id in the blob store. */
    audioFileId: p.string().length(100).nullable().unique(),
    audioMediaType: p.string().length(100).nullable(),
    recallTime: p.datetime().nullable(),
    /** `uz`, `ru` or `en`. */
    conversationLanguage: p.string().length(2).default('uz'),
    /** `ui` or `api` (the intake). */
    source: p.string().length(8).default('ui'),
    createdBy: p.manyToOne(UserEntity).joinColumn('created_by').nullable().deleteRule('set null').index(),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
    archivedAt: p.datetime().nullable(),
    /** {@link CUSTOMER_SEARCH_EXPRESSION}, computed by PostgreSQL on every write; lazy, so not loaded with the entity. */
    searchText: p.text().generated(`(${CUSTOMER_SEARCH_EXPRESSION}) stored`).lazy(),
  }),
});

/** A note on a customer. */
export const CustomerNoteEntity = defineEntity({
  name: 'CustomerNote',
  tableName: 'customer_note',
  indexes: [{ properties: ['customer', 'createdAt'] }],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    customer: p.manyToOne(CustomerEntity).deleteRule('cascade'),
    note: p.text(),
    createdBy: p.manyToOne(UserEntity).joinColumn('created_by').nullable().deleteRule('set null').index(),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
  }),
});

/**
 * Every status a customer got: the initial one (`fromStatus` null), each change, each move by a status delete.
 * `salesManager` is who the customer was assigned to at that moment. Status names are copied, not referenced, so
 * history outlives a deleted status.
 */
export const CustomerStatusChangeEntity = defineEntity({
  name: 'CustomerStatusChange',
  tableName: 'customer_status_change',
  indexes: [
    { properties: ['customer', 'changedAt'] },
    { properties: ['salesManager', 'changedAt'] },
    { properties: ['toStatus', 'customer'] },
  ],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    customer: p.manyToOne(CustomerEntity).deleteRule('cascade'),
    fromStatus: p.string().length(100).nullable(),
    toStatus: p.string().length(100),
    changedBy: p.manyToOne(UserEntity).joinColumn('changed_by').nullable().deleteRule('set null'),
    salesManager: p.manyToOne(UserEntity).joinColumn('sales_manager_id').nullable().deleteRule('set null'),
    changedAt: p.datetime().onCreate(now),
  }),
});

/** The sales manager a customer is assigned to now: at most one per customer. */
export const SalesAssignmentEntity = defineEntity({
  name: 'SalesAssignment',
  tableName: 'sales_manager_assignment',
  // A manager's customers, newest assignment first, straight from the index.
  indexes: [{ properties: ['salesManager', 'assignedAt'] }],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    customer: p.oneToOne(CustomerEntity).owner().deleteRule('cascade').unique(),
    salesManager: p.manyToOne(UserEntity).joinColumn('sales_manager_id').deleteRule('cascade'),
    /** Null: assigned automatically. */
    assignedBy: p.manyToOne(UserEntity).joinColumn('assigned_by').nullable().deleteRule('set null'),
    assignedAt: p.datetime().onCreate(now),
  }),
});

/**
 * The round-robin turn: one row (id 1) holding the manager who got the previous customer. Locked while a customer
 * is assigned, so concurrent creates take turns instead of reading a stale value.
 */
export const SalesRotationEntity = defineEntity({
  name: 'SalesRotation',
  tableName: 'sales_rotation',
  properties: (p) => ({
    id: p.integer().primary(),
    lastManagerId: p.integer().nullable(),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
  }),
});

/**
 * Customers per status, archived or not: kept exact by statement triggers on `customer`, so the CRM's overall statistics
 * read a handful of rows whatever the number of customers.
 */
export const CustomerStatusTotalEntity = defineEntity({
  name: 'CustomerStatusTotal',
  tableName: 'customer_status_total',
  primaryKeys: ['status', 'archived'],
  properties: (p) => ({
    status: p.string().length(100).primary(),
    archived: p.boolean().primary(),
    n: p.bigint('number').default(0),
  }),
});

/**
 * Customers created per business-time-zone day and status, archived or not: kept exact by the same triggers, for
 * period statistics and trends.
 */
export const CustomerDailyCountEntity = defineEntity({
  name: 'CustomerDailyCount',
  tableName: 'customer_daily_count',
  primaryKeys: ['day', 'status', 'archived'],
  indexes: [
    {
      // The dashboard's period statistics sum the live counts of the last year: this reads just those rows, however
      // many days and statuses the table holds. `n` is left out of it, so the triggers' updates stay HOT.
      name: 'customer_daily_count_live_day_index',
      expression:
        'create index "customer_daily_count_live_day_index" on "customer_daily_count" ("day") where not "archived"',
    },
  ],
  properties: (p) => ({
    day: p.date().primary(),
    status: p.string().length(100).primary(),
    archived: p.boolean().primary(),
    n: p.bigint('number').default(0),
  }),
});

/**
 * Settings the database's triggers read: the business time zone the daily counts are kept in. The server writes it
 * at start and rebuilds the daily counts when it changed.
 */
export const CrmSettingsEntity = defineEntity({
  name: 'CrmSettings',
  tableName: 'crm_settings',
  properties: (p) => ({
    id: p.integer().primary(),
    businessTimezone: p.string().length(64),
  }),
});

export const crmEntities = [
  CustomerStatusEntity,
  CustomerEntity,
  CustomerNoteEntity,
  CustomerStatusChangeEntity,
  SalesAssignmentEntity,
  SalesRotationEntity,
  CustomerStatusTotalEntity,
  CustomerDailyCountEntity,
  CrmSettingsEntity,
];
