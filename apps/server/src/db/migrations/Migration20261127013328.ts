import { Migration } from '@mikro-orm/migrations';

export class Migration20261127013328 extends Migration {
  override async up(): Promise<void> {
    // Trigram indexes make the CRM's substring search fast (PGlite loads the same extension).
    this.addSql(`create extension if not exists pg_trgm;`);

    this.addSql(`create table "crm_settings" ("id" serial primary key, "business_timezone" varchar(64) not null);`);

    this.addSql(
      `create table "customer_daily_count" ("day" date not null, "status" varchar(100) not null, "archived" boolean not null, "n" bigint not null default 0, constraint "customer_daily_count_pkey" primary key ("day", "status", "archived"));`,
    );

    this.addSql(
      `create table "customer_status" ("id" serial primary key, "name" varchar(100) not null, "display_name" varchar(255) not null, "description" text null, "color" varchar(7) null, "sort_order" int not null default 0, "category" varchar(8) not null default 'open', "is_active" boolean not null default true, "is_system" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "customer_status" add constraint "customer_status_name_unique" unique ("name");`);

    this.addSql(
      `create table "customer_status_total" ("status" varchar(100) not null, "archived" boolean not null, "n" bigint not null default 0, constraint "customer_status_total_pkey" primary key ("status", "archived"));`,
    );

    this.addSql(
      `create table "sales_rotation" ("id" serial primary key, "last_manager_id" int null, "updated_at" timestamptz not null);`,
    );

    this.addSql(
      `create table "customer" ("id" serial primary key, "full_name" varchar(255) not null, "platform" varchar(32) not null, "username" varchar(255) null, "phone_number" varchar(32) not null, "status" varchar(100) not null, "customer_type" varchar(16) null, "assistant_name" varchar(255) null, "chat_url" varchar(1000) null, "notes" text null, "aisummary" text null, "importance_score" int null, "priority_score" int null, "priority_level" varchar(16) null, "priority_reason" text null, "industry" varchar(100) null, "business_age_years" int null, "audio_file_id" varchar(100) null, "audio_media_type" varchar(100) null, "recall_time" timestamptz null, "conversation_language" varchar(2) not null default 'uz', "source" varchar(8) not null default 'ui', "created_by" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "archived_at" timestamptz null);`,
    );
    this.addSql(`alter table "customer" add constraint "customer_audio_file_id_unique" unique ("audio_file_id");`);
    this.addSql(`create index "customer_created_by_index" on "customer" ("created_by");`);
    this.addSql(
      `create index "customer_live_created_index" on "customer" ("created_at" desc, "id" desc) where "archived_at" is null;`,
    );
    this.addSql(
      `create index "customer_live_status_created_index" on "customer" ("status", "created_at" desc, "id" desc) where "archived_at" is null;`,
    );
    this.addSql(
      `create index "customer_live_platform_created_index" on "customer" ("platform", "created_at" desc, "id" desc) where "archived_at" is null;`,
    );
    this.addSql(
      `create index "customer_live_type_created_index" on "customer" ("customer_type", "created_at" desc, "id" desc) where "archived_at" is null;`,
    );
    this.addSql(
      `create index "customer_archived_index" on "customer" ("archived_at" desc, "id" desc) where "archived_at" is not null;`,
    );
    this.addSql(
      `create index "customer_search_trgm_index" on "customer" using gin ((lower("full_name" || ' ' || "phone_number" || ' ' || coalesce("username", '') || ' ' || "platform" || ' ' || coalesce("assistant_name", '') || ' ' || "status")) gin_trgm_ops);`,
    );

    this.addSql(
      `create table "sales_manager_assignment" ("id" serial primary key, "customer_id" int not null, "sales_manager_id" int not null, "assigned_by" int null, "assigned_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "sales_manager_assignment" add constraint "sales_manager_assignment_customer_id_unique" unique ("customer_id");`,
    );
    this.addSql(
      `create index "sales_manager_assignment_sales_manager_id_assigned_at_index" on "sales_manager_assignment" ("sales_manager_id", "assigned_at");`,
    );

    this.addSql(
      `create table "customer_status_change" ("id" serial primary key, "customer_id" int not null, "from_status" varchar(100) null, "to_status" varchar(100) not null, "changed_by" int null, "sales_manager_id" int null, "changed_at" timestamptz not null);`,
    );
    this.addSql(
      `create index "customer_status_change_customer_id_changed_at_index" on "customer_status_change" ("customer_id", "changed_at");`,
    );
    this.addSql(
      `create index "customer_status_change_sales_manager_id_changed_at_index" on "customer_status_change" ("sales_manager_id", "changed_at");`,
    );
    this.addSql(
      `create index "customer_status_change_to_status_customer_id_index" on "customer_status_change" ("to_status", "customer_id");`,
    );

    this.addSql(
      `create table "customer_note" ("id" serial primary key, "customer_id" int not null, "note" text not null, "created_by" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "customer_note_created_by_index" on "customer_note" ("created_by");`);
    this.addSql(
      `create index "customer_note_customer_id_created_at_index" on "customer_note" ("customer_id", "created_at");`,
    );

    this.addSql(
      `alter table "customer" add constraint "customer_status_foreign" foreign key ("status") references "customer_status" ("name") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "customer" add constraint "customer_created_by_foreign" foreign key ("created_by") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "sales_manager_assignment" add constraint "sales_manager_assignment_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "sales_manager_assignment" add constraint "sales_manager_assignment_sales_manager_id_foreign" foreign key ("sales_manager_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "sales_manager_assignment" add constraint "sales_manager_assignment_assigned_by_foreign" foreign key ("assigned_by") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "customer_status_change" add constraint "customer_status_change_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "customer_status_change" add constraint "customer_status_change_changed_by_foreign" foreign key ("changed_by") references "app_user" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "customer_status_change" add constraint "customer_status_change_sales_manager_id_foreign" foreign key ("sales_manager_id") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "customer_note" add constraint "customer_note_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "customer_note" add constraint "customer_note_created_by_foreign" foreign key ("created_by") references "app_user" ("id") on update cascade on delete set null;`,
    );

    // The six legacy statuses, as system statuses with a pipeline category.
    this.addSql(`insert into "customer_status" ("name", "display_name", "description", "color", "sort_order", "category", "is_active", "is_system", "created_at", "updated_at") values
      ('contacted', 'Contacted', 'Initial contact made', '#3B82F6', 1, 'open', true, true, now(), now()),
      ('project_started', 'Project Started', 'Project has started', '#10B981', 2, 'won', true, true, now(), now()),
      ('continuing', 'Continuing', 'Project is continuing', '#F59E0B', 3, 'won', true, true, now(), now()),
      ('finished', 'Finished', 'Project completed', '#8B5CF6', 4, 'won', true, true, now(), now()),
      ('rejected', 'Rejected', 'Lead rejected', '#EF4444', 5, 'lost', true, true, now(), now()),
      ('need_to_call', 'Need to Call', 'Follow-up call needed', '#F97316', 6, 'open', true, true, now(), now());`);
    this.addSql(`insert into "sales_rotation" ("id", "last_manager_id", "updated_at") values (1, null, now());`);
    // The server writes its BUSINESS_TIMEZONE here at start (and rebuilds the daily counts when it changed).
    this.addSql(`insert into "crm_settings" ("id", "business_timezone") values (1, 'Asia/Tashkent');`);

    // Exact counts per status and per business day, kept by the database on every insert, update and delete of
    // customers, so statistics read a few rows instead of counting a million. Statement-level triggers with transition
    // tables: one grouped upsert per statement, so a set-based change of 100k customers (a status deleted with
    // reassign_to, a bulk archive, an import) costs one aggregate, not 100k updates of the same counter rows.
    this.addSql(`create function "customer_counts_insert"() returns trigger language plpgsql as $$
      begin
        insert into "customer_status_total" as t ("status", "archived", "n")
          select "status", "archived", sum("n") from (select (r."created_at" at time zone (select "business_timezone" from "crm_settings" where "id" = 1))::date as "day", r."status", r."archived_at" is not null as "archived", 1 as "n" from "new_rows" r) x group by 1, 2 having sum("n") <> 0
          on conflict ("status", "archived") do update set "n" = t."n" + excluded."n";
        insert into "customer_daily_count" as d ("day", "status", "archived", "n")
          select "day", "status", "archived", sum("n") from (select (r."created_at" at time zone (select "business_timezone" from "crm_settings" where "id" = 1))::date as "day", r."status", r."archived_at" is not null as "archived", 1 as "n" from "new_rows" r) x group by 1, 2, 3 having sum("n") <> 0
          on conflict ("day", "status", "archived") do update set "n" = d."n" + excluded."n";
        return null;
      end $$;`);
    this.addSql(`create function "customer_counts_update"() returns trigger language plpgsql as $$
      begin
        insert into "customer_status_total" as t ("status", "archived", "n")
          select "status", "archived", sum("n") from (select (r."created_at" at time zone (select "business_timezone" from "crm_settings" where "id" = 1))::date as "day", r."status", r."archived_at" is not null as "archived", -1 as "n" from "old_rows" r union all select (r."created_at" at time zone (select "business_timezone" from "crm_settings" where "id" = 1))::date as "day", r."status", r."archived_at" is not null as "archived", 1 as "n" from "new_rows" r) x group by 1, 2 having sum("n") <> 0
          on conflict ("status", "archived") do update set "n" = t."n" + excluded."n";
        insert into "customer_daily_count" as d ("day", "status", "archived", "n")
          select "day", "status", "archived", sum("n") from (select (r."created_at" at time zone (select "business_timezone" from "crm_settings" where "id" = 1))::date as "day", r."status", r."archived_at" is not null as "archived", -1 as "n" from "old_rows" r union all select (r."created_at" at time zone (select "business_timezone" from "crm_settings" where "id" = 1))::date as "day", r."status", r."archived_at" is not null as "archived", 1 as "n" from "new_rows" r) x group by 1, 2, 3 having sum("n") <> 0
          on conflict ("day", "status", "archived") do update set "n" = d."n" + excluded."n";
        return null;
      end $$;`);
    this.addSql(`create function "customer_counts_delete"() returns trigger language plpgsql as $$
      begin
        insert into "customer_status_total" as t ("status", "archived", "n")
          select "status", "archived", sum("n") from (select (r."created_at" at time zone (select "business_timezone" from "crm_settings" where "id" = 1))::date as "day", r."status", r."archived_at" is not null as "archived", -1 as "n" from "old_rows" r) x group by 1, 2 having sum("n") <> 0
          on conflict ("status", "archived") do update set "n" = t."n" + excluded."n";
        insert into "customer_daily_count" as d ("day", "status", "archived", "n")
          select "day", "status", "archived", sum("n") from (select (r."created_at" at time zone (select "business_timezone" from "crm_settings" where "id" = 1))::date as "day", r."status", r."archived_at" is not null as "archived", -1 as "n" from "old_rows" r) x group by 1, 2, 3 having sum("n") <> 0
          on conflict ("day", "status", "archived") do update set "n" = d."n" + excluded."n";
        return null;
      end $$;`);
    this.addSql(
      `create trigger "customer_counts_insert" after insert on "customer" referencing new table as "new_rows" for each statement execute function "customer_counts_insert"();`,
    );
    this.addSql(
      `create trigger "customer_counts_update" after update on "customer" referencing old table as "old_rows" new table as "new_rows" for each statement execute function "customer_counts_update"();`,
    );
    this.addSql(
      `create trigger "customer_counts_delete" after delete on "customer" referencing old table as "old_rows" for each statement execute function "customer_counts_delete"();`,
    );
  }

  override async down(): Promise<void> {
    for (const event of ['insert', 'update', 'delete']) {
      this.addSql(`drop trigger if exists "customer_counts_${event}" on "customer";`);
      this.addSql(`drop function if exists "customer_counts_${event}"();`);
    }
    this.addSql(`alter table "customer" drop constraint "customer_status_foreign";`);

    this.addSql(
      `alter table "sales_manager_assignment" drop constraint "sales_manager_assignment_customer_id_foreign";`,
    );

    this.addSql(`alter table "customer_status_change" drop constraint "customer_status_change_customer_id_foreign";`);

    this.addSql(`alter table "customer_note" drop constraint "customer_note_customer_id_foreign";`);

    this.addSql(`drop table if exists "crm_settings" cascade;`);

    this.addSql(`drop table if exists "customer_daily_count" cascade;`);

    this.addSql(`drop table if exists "customer_status" cascade;`);

    this.addSql(`drop table if exists "customer_status_total" cascade;`);

    this.addSql(`drop table if exists "sales_rotation" cascade;`);

    this.addSql(`drop table if exists "customer" cascade;`);

    this.addSql(`drop table if exists "sales_manager_assignment" cascade;`);

    this.addSql(`drop table if exists "customer_status_change" cascade;`);

    this.addSql(`drop table if exists "customer_note" cascade;`);
  }
}
