import { Migration } from '@mikro-orm/migrations';

export class Migration20261126224131 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_log" ("id" serial primary key, "created_at" timestamptz not null, "actor_user_id" int null, "module" varchar(50) not null, "entity_type" varchar(50) not null, "entity_id" varchar(100) null, "action" varchar(50) not null, "summary" text null, "data" jsonb null, "request_id" varchar(128) null, "ip_address" varchar(100) null, "user_agent" varchar(500) null);`,
    );
    this.addSql(`create index "audit_log_created_at_index" on "audit_log" ("created_at");`);
    this.addSql(`create index "audit_log_actor_user_id_index" on "audit_log" ("actor_user_id");`);

    this.addSql(
      `create table "app_page" ("id" serial primary key, "name" varchar(100) not null, "display_name" varchar(255) not null, "description" text null, "route_path" varchar(255) null, "sort_order" int not null default 0, "is_active" boolean not null default true, "is_system" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "app_page" add constraint "app_page_name_unique" unique ("name");`);

    this.addSql(
      `create table "rate_limit_hit" ("key" varchar(300) not null, "window_start" timestamptz not null, "count" int not null default 0, constraint "rate_limit_hit_pkey" primary key ("key", "window_start"));`,
    );

    this.addSql(
      `create table "app_user" ("id" serial primary key, "email" varchar(255) not null, "password_hash" varchar(100) not null, "name" varchar(255) not null, "surname" varchar(255) not null, "role" varchar(32) not null, "company_code" varchar(255) not null default 'oddiy', "telegram_id" varchar(50) null, "job_title" varchar(100) null, "profile_image" varchar(500) null, "is_active" boolean not null default true, "email_verified_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);
    this.addSql(`create index "app_user_role_index" on "app_user" ("role");`);

    this.addSql(
      `create table "auth_session" ("id" serial primary key, "user_id" int not null, "user_agent" varchar(500) null, "ip_address" varchar(100) null, "created_at" timestamptz not null, "last_used_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoke_reason" varchar(50) null);`,
    );
    this.addSql(`create index "auth_session_user_id_index" on "auth_session" ("user_id");`);
    this.addSql(`create index "auth_session_expires_at_index" on "auth_session" ("expires_at");`);

    this.addSql(
      `create table "refresh_token" ("id" serial primary key, "session_id" int not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null, "spent_at" timestamptz null);`,
    );
    this.addSql(`create index "refresh_token_session_id_index" on "refresh_token" ("session_id");`);
    this.addSql(`alter table "refresh_token" add constraint "refresh_token_token_hash_unique" unique ("token_hash");`);

    this.addSql(
      `create table "user_page_permission" ("id" serial primary key, "user_id" int not null, "page_name" varchar(100) not null, "created_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "user_page_permission" add constraint "user_page_permission_user_id_page_name_unique" unique ("user_id", "page_name");`,
    );

    this.addSql(
      `create table "verification_code" ("id" serial primary key, "user_id" int not null, "purpose" varchar(20) not null, "code_hash" varchar(64) not null, "attempts" int not null default 0, "expires_at" timestamptz not null, "consumed_at" timestamptz null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "verification_code_expires_at_index" on "verification_code" ("expires_at");`);
    this.addSql(
      `alter table "verification_code" add constraint "verification_code_user_id_purpose_unique" unique ("user_id", "purpose");`,
    );

    this.addSql(
      `alter table "auth_session" add constraint "auth_session_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "refresh_token" add constraint "refresh_token_session_id_foreign" foreign key ("session_id") references "auth_session" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "user_page_permission" add constraint "user_page_permission_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "verification_code" add constraint "verification_code_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
    // The page inventory of the legacy system: permission keys the client checks. System pages cannot be deleted.
    this.addSql(`insert into "app_page" ("name", "display_name", "route_path", "sort_order", "is_active", "is_system", "created_at", "updated_at") values
      ('ceo', 'Dashboard', '/ceo', 1, true, true, now(), now()),
      ('payment_list', 'Payment', '/payment_list', 2, true, true, now(), now()),
      ('project_toggle', 'WordPress', '/project_toggle', 3, true, true, now(), now()),
      ('projects', 'Projects', '/projects', 4, true, true, now(), now()),
      ('crm', 'Sales CRM', '/crm', 5, true, true, now(), now()),
      ('finance_list', 'Finance', '/finance_list', 6, true, true, now(), now()),
      ('update_list', 'Update', '/update_list', 7, true, true, now(), now()),
      ('company_payments', 'Company Payments', '/company-payments', 8, true, true, now(), now()),
      ('cognilabsai_chat', 'CognilabsAI Chat', '/cognilabsai/chat', 90, true, true, now(), now()),
      ('cognilabsai_integrations', 'CognilabsAI Integrations', '/cognilabsai/integrations', 91, true, true, now(), now());`);
    // Sessions are looked up by user among the live ones only.
    this.addSql(
      `create index "auth_session_live_user_index" on "auth_session" ("user_id") where "revoked_at" is null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "auth_session" drop constraint "auth_session_user_id_foreign";`);

    this.addSql(`alter table "user_page_permission" drop constraint "user_page_permission_user_id_foreign";`);

    this.addSql(`alter table "verification_code" drop constraint "verification_code_user_id_foreign";`);

    this.addSql(`alter table "refresh_token" drop constraint "refresh_token_session_id_foreign";`);

    this.addSql(`drop table if exists "audit_log" cascade;`);

    this.addSql(`drop table if exists "app_page" cascade;`);

    this.addSql(`drop table if exists "rate_limit_hit" cascade;`);

    this.addSql(`drop table if exists "app_user" cascade;`);

    this.addSql(`drop table if exists "auth_session" cascade;`);

    this.addSql(`drop table if exists "refresh_token" cascade;`);

    this.addSql(`drop table if exists "user_page_permission" cascade;`);

    this.addSql(`drop table if exists "verification_code" cascade;`);
  }
}
