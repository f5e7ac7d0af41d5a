import { Migration } from '@mikro-orm/migrations';

/**
 * Room for what the legacy CIMS stored: a customer's name and phone number up to 500 characters (the longest plaintext
 * its 500-character Fernet columns can hold) and a free-text platform up to 255. New input keeps its stricter rules
 * (the contract's schemas); imported customers keep their values as they were.
 *
 * PostgreSQL cannot change the type of a column a generated column reads, so the search text and its trigram index
 * are dropped and made again (the table is rewritten once, as in Migration20261127144118).
 */
export class Migration20261206120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index "customer_search_trgm_index";`);
    this.addSql(`alter table "customer" drop column "search_text";`);
    this.addSql(
      `alter table "customer" alter column "full_name" type varchar(500), alter column "phone_number" type varchar(500), alter column "platform" type varchar(255);`,
    );
    this.addSql(
      `alter table "customer" add column "search_text" text generated always as (lower("full_name" || ' ' || "phone_number" || ' ' || coalesce("username"::text, '') || ' ' || "platform" || ' ' || coalesce("assistant_name"::text, '') || ' ' || "status")) stored not null;`,
    );
    this.addSql(`create index "customer_search_trgm_index" on "customer" using gin ("search_text" gin_trgm_ops);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "customer_search_trgm_index";`);
    this.addSql(`alter table "customer" drop column "search_text";`);
    this.addSql(
      `alter table "customer" alter column "full_name" type varchar(255), alter column "phone_number" type varchar(32), alter column "platform" type varchar(32);`,
    );
    this.addSql(
      `alter table "customer" add column "search_text" text generated always as (lower("full_name" || ' ' || "phone_number" || ' ' || coalesce("username"::text, '') || ' ' || "platform" || ' ' || coalesce("assistant_name"::text, '') || ' ' || "status")) stored not null;`,
    );
    this.addSql(`create index "customer_search_trgm_index" on "customer" using gin ("search_text" gin_trgm_ops);`);
  }
}
