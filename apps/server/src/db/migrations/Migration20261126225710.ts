import { Migration } from '@mikro-orm/migrations';

export class Migration20261126225710 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "user_role" ("id" serial primary key, "name" varchar(100) not null, "display_name" varchar(255) not null, "description" text null, "is_active" boolean not null default true, "is_system" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "user_role" add constraint "user_role_name_unique" unique ("name");`);
    this.addSql(`create unique index "user_role_name_lower_unique" on "user_role" (lower("name"));`);
    // The built-in roles, in the client's spelling. System roles cannot be deleted.
    this.addSql(`insert into "user_role" ("name", "display_name", "is_active", "is_system", "created_at", "updated_at") values
      ('CEO', 'CEO', true, true, now(), now()),
      ('Member', 'Member', true, true, now(), now()),
      ('Customer', 'Customer', true, true, now(), now()),
      ('SalesManager', 'Sales Manager', true, true, now(), now()),
      ('Finance', 'Finance', true, true, now(), now()),
      ('Admin', 'Admin', true, true, now(), now());`);

    this.addSql(`alter table "app_user" add column "role_name" varchar(100) null;`);
    this.addSql(
      `alter table "app_user" add constraint "app_user_role_name_foreign" foreign key ("role_name") references "user_role" ("name") on update cascade on delete restrict;`,
    );
    this.addSql(`create index "app_user_role_name_index" on "app_user" ("role_name");`);

    this.addSql(
      `alter table "user_page_permission" add constraint "user_page_permission_page_name_foreign" foreign key ("page_name") references "app_page" ("name") on update cascade on delete restrict;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "app_user" drop constraint "app_user_role_name_foreign";`);

    this.addSql(`drop table if exists "user_role" cascade;`);

    this.addSql(`alter table "user_page_permission" drop constraint "user_page_permission_page_name_foreign";`);

    this.addSql(`drop index "app_user_role_name_index";`);
    this.addSql(`alter table "app_user" drop column "role_name";`);
  }
}
