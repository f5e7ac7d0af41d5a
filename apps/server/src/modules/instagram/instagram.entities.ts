import { defineEntity } from '@mikro-orm/core';

const now = () => new Date();

/**
 * An Instagram Business account whose followers are tracked. At most one is connected (`disconnected_at` null), which
 * a partial unique index guarantees; a disconnected account keeps its row, so its snapshots stay with it, and
 * connecting it again brings its history back. The access token is stored sealed with AES-256-GCM (`token_*`: the
 * key id, IV, tag and ciphertext) and wiped on disconnect.
 */
export const InstagramAccountEntity = defineEntity({
  name: 'InstagramAccount',
  tableName: 'instagram_account',
  uniques: [
    {
      name: 'instagram_account_one_connected',
      expression:
        'create unique index "instagram_account_one_connected" on "instagram_account" ((true)) where "disconnected_at" is null',
    },
  ],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    accountUsername: p.string().length(255),
    instagramBusinessAccountId: p.string().length(32).unique(),
    facebookPageId: p.string().length(32),
    tokenKeyId: p.string().length(16).nullable(),
    tokenIv: p.string().length(32).nullable(),
    tokenTag: p.string().length(32).nullable(),
    tokenCiphertext: p.text().nullable(),
    tokenExpiresAt: p.datetime().nullable(),
    /** When the stored token was obtained (setup or renewal): a token is renewed only once it is a day old. */
    tokenIssuedAt: p.datetime().nullable(),
    tokenRenewedAt: p.datetime().nullable(),
    connectedAt: p.datetime(),
    disconnectedAt: p.datetime().nullable(),
    lastSyncedAt: p.datetime().nullable(),
    reconnectRequired: p.boolean().default(false),
    lastErrorCode: p.string().length(64).nullable(),
    lastErrorMessage: p.text().nullable(),
    lastErrorGraphCode: p.integer().nullable(),
    lastErrorAt: p.datetime().nullable(),
    /** The usage headers of the last Graph API answer (`X-App-Usage`, `X-Business-Use-Case-Usage`) and when. */
    graphUsage: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
  }),
});

/** The followers, follows and media of an account on one business day: one row per account and day. */
export const InstagramSnapshotEntity = defineEntity({
  name: 'InstagramSnapshot',
  tableName: 'instagram_snapshot',
  primaryKeys: ['account', 'snapshotDate'],
  properties: (p) => ({
    account: p.manyToOne(InstagramAccountEntity).primary().deleteRule('cascade'),
    snapshotDate: p.date().primary(),
    followersCount: p.integer(),
    followingCount: p.integer(),
    mediaCount: p.integer(),
    /** When the counts were read (the last sync of the day). */
    capturedAt: p.datetime(),
  }),
});

/** The module's entities, for the ORM's list (db/entities.ts). */
export const instagramEntities = [InstagramAccountEntity, InstagramSnapshotEntity];
