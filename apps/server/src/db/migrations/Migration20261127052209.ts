import { Migration } from '@mikro-orm/migrations';

export class Migration20261127052209 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "instagram_account" ("id" serial primary key, "account_username" varchar(255) not null, "instagram_business_account_id" varchar(32) not null, "facebook_page_id" varchar(32) not null, "token_key_id" varchar(16) null, "token_iv" varchar(32) null, "token_tag" varchar(32) null, "token_ciphertext" text null, "token_expires_at" timestamptz null, "token_issued_at" timestamptz null, "token_renewed_at" timestamptz null, "connected_at" timestamptz not null, "disconnected_at" timestamptz null, "last_synced_at" timestamptz null, "reconnect_required" boolean not null default false, "last_error_code" varchar(64) null, "last_error_message" text null, "last_error_graph_code" int null, "last_error_at" timestamptz null, "graph_usage" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "instagram_account" add constraint "instagram_account_instagram_business_account_id_unique" unique ("instagram_business_account_id");`,
    );
    this.addSql(
      `create unique index "instagram_account_one_connected" on "instagram_account" ((true)) where "disconnected_at" is null;`,
    );

    this.addSql(
      `create table "instagram_snapshot" ("account_id" int not null, "snapshot_date" date not null, "followers_count" int not null, "following_count" int not null, "media_count" int not null, "captured_at" timestamptz not null, constraint "instagram_snapshot_pkey" primary key ("account_id", "snapshot_date"));`,
    );

    this.addSql(
      `create table "scheduled_job_run" ("job" varchar(100) not null, "slot" timestamptz not null, "instance" varchar(200) not null, "started_at" timestamptz not null, "finished_at" timestamptz null, "outcome" varchar(16) null, "detail" text null, constraint "scheduled_job_run_pkey" primary key ("job", "slot"));`,
    );

    this.addSql(
      `alter table "instagram_snapshot" add constraint "instagram_snapshot_account_id_foreign" foreign key ("account_id") references "instagram_account" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "instagram_snapshot" drop constraint "instagram_snapshot_account_id_foreign";`);

    this.addSql(`drop table if exists "instagram_account" cascade;`);

    this.addSql(`drop table if exists "instagram_snapshot" cascade;`);

    this.addSql(`drop table if exists "scheduled_job_run" cascade;`);
  }
}
