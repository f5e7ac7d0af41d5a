import { defineEntity, type InferEntity } from '@mikro-orm/core';

const now = () => new Date();

/** A role as the Management page lists it: the six built-in roles (system) and custom labels. */
export const ManagedRoleEntity = defineEntity({
  name: 'ManagedRole',
  tableName: 'user_role',
  // "CEO" and "ceo" are the same role: names are unique regardless of case.
  uniques: [
    {
      name: 'user_role_name_lower_unique',
      expression: 'create unique index "user_role_name_lower_unique" on "user_role" (lower("name"))',
    },
  ],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    name: p.string().length(100).unique(),
    displayName: p.string().length(255),
    description: p.text().nullable(),
    isActive: p.boolean().default(true),
    isSystem: p.boolean().default(false),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
  }),
});

/** A person who can sign in. E-mail addresses are stored trimmed and lower-cased. */
export const UserEntity = defineEntity({
  name: 'User',
  tableName: 'app_user',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    email: p.string().length(255).unique(),
    passwordHash: p.string().length(100).hidden(),
    name: p.string().length(255),
    surname: p.string().length(255),
    role: p.string().length(32).index(),
    /** A custom role from /management/roles: a label; authorization uses `role` and the pages. */
    customRole: p
      .manyToOne(ManagedRoleEntity)
      .joinColumn('role_name')
      .columnType('varchar(100)')
      .referencedColumnNames('name')
      .nullable()
      .index()
      .deleteRule('restrict')
      .updateRule('cascade'),
    companyCode: p.string().length(255).default('oddiy'),
    telegramId: p.string().length(50).nullable(),
    jobTitle: p.string().length(100).nullable(),
    profileImage: p.string().length(500).nullable(),
    isActive: p.boolean().default(true),
    emailVerifiedAt: p.datetime().nullable(),
    /**
     * When someone registered again with the address while it was still unverified. Such an account can then only be
     * finished through reset-password (a code proving the mailbox), never with the first registrant's password.
     */
    registrationContestedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
  }),
});
export type User = InferEntity<typeof UserEntity>;

/** A page of the application; users are granted pages by key (`crm`, `ceo`, …). */
export const PageEntity = defineEntity({
  name: 'Page',
  tableName: 'app_page',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    name: p.string().length(100).unique(),
    displayName: p.string().length(255),
    description: p.text().nullable(),
    routePath: p.string().length(255).nullable(),
    sortOrder: p.integer().default(0),
    isActive: p.boolean().default(true),
    isSystem: p.boolean().default(false),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
  }),
});
export type Page = InferEntity<typeof PageEntity>;

/** A page granted to a user. */
export const PagePermissionEntity = defineEntity({
  name: 'PagePermission',
  tableName: 'user_page_permission',
  uniques: [{ properties: ['user', 'page'] }],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    user: p.manyToOne(UserEntity).deleteRule('cascade'),
    // A granted page cannot be deleted: the database refuses it, whatever runs concurrently.
    page: p
      .manyToOne(PageEntity)
      .joinColumn('page_name')
      .columnType('varchar(100)')
      .referencedColumnNames('name')
      .deleteRule('restrict')
      .updateRule('cascade'),
    createdAt: p.datetime().onCreate(now),
  }),
});

/** One login on one device: the family of its rotating refresh tokens. It never outlives `expiresAt`. */
export const SessionEntity = defineEntity({
  name: 'Session',
  tableName: 'auth_session',
  indexes: [
    {
      name: 'auth_session_live_user_index',
      expression:
        'create index "auth_session_live_user_index" on "auth_session" ("user_id") where "revoked_at" is null',
    },
  ],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    user: p.manyToOne(UserEntity).deleteRule('cascade').index(),
    userAgent: p.string().length(500).nullable(),
    ipAddress: p.string().length(100).nullable(),
    createdAt: p.datetime().onCreate(now),
    lastUsedAt: p.datetime().onCreate(now),
    expiresAt: p.datetime().index(),
    revokedAt: p.datetime().nullable(),
    revokeReason: p.string().length(50).nullable(),
  }),
});

/**
 * A refresh token of a session. Only its SHA-256 is stored; `spentAt` marks it rotated. A spent token keeps its
 * successor sealed (AES-256-GCM, server key), so presenting it again within the grace window returns that same
 * successor instead of minting a sibling: a session has exactly one live refresh token.
 */
export const RefreshTokenEntity = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_token',
  indexes: [
    {
      name: 'refresh_token_one_live_per_session',
      expression:
        'create unique index "refresh_token_one_live_per_session" on "refresh_token" ("session_id") where "spent_at" is null',
    },
  ],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    session: p.manyToOne(SessionEntity).deleteRule('cascade').index(),
    tokenHash: p.string().length(64).unique(),
    createdAt: p.datetime().onCreate(now),
    spentAt: p.datetime().nullable(),
    sealedSuccessor: p.text().nullable(),
  }),
});

/** A one-time code (e-mail verification or password reset). Only its keyed hash is stored. */
export const VerificationCodeEntity = defineEntity({
  name: 'VerificationCode',
  tableName: 'verification_code',
  uniques: [{ properties: ['user', 'purpose'] }],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    user: p.manyToOne(UserEntity).deleteRule('cascade'),
    purpose: p.string().length(20),
    codeHash: p.string().length(64),
    attempts: p.integer().default(0),
    expiresAt: p.datetime().index(),
    consumedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(now),
  }),
});

/** Who did what, when, from where. Written for security-relevant events. */
export const AuditLogEntity = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_log',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    createdAt: p.datetime().onCreate(now).index(),
    actorUserId: p.integer().nullable().index(),
    module: p.string().length(50),
    entityType: p.string().length(50),
    entityId: p.string().length(100).nullable(),
    action: p.string().length(50),
    summary: p.text().nullable(),
    data: p.json<Record<string, unknown>>().nullable(),
    requestId: p.string().length(128).nullable(),
    ipAddress: p.string().length(100).nullable(),
    userAgent: p.string().length(500).nullable(),
  }),
});

/** Fixed-window counters of the rate limiter, shared by every server instance on the database. */
export const RateLimitEntity = defineEntity({
  name: 'RateLimit',
  tableName: 'rate_limit_hit',
  primaryKeys: ['key', 'windowStart'],
  properties: (p) => ({
    key: p.string().length(300).primary(),
    windowStart: p.datetime().primary(),
    /** The window's length: the row may be deleted once the window is over. */
    windowSeconds: p.integer(),
    count: p.integer().default(0),
  }),
});

export const authEntities = [
  UserEntity,
  PageEntity,
  ManagedRoleEntity,
  PagePermissionEntity,
  SessionEntity,
  RefreshTokenEntity,
  VerificationCodeEntity,
  AuditLogEntity,
  RateLimitEntity,
];
