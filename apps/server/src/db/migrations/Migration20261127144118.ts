import { Migration } from '@mikro-orm/migrations';

/**
 * The CRM search text becomes a stored generated column, and the trigram index is rebuilt on it: a search then reads
 * one column per candidate row instead of building and lower-casing the concatenation for each (the same text, so
 * the same matches). Adding the column rewrites the customer table once.
 */
export class Migration20261127144118 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "customer" add column "search_text" text generated always as (lower("full_name" || ' ' || "phone_number" || ' ' || coalesce("username"::text, '') || ' ' || "platform" || ' ' || coalesce("assistant_name"::text, '') || ' ' || "status")) stored not null;`,
    );
    this.addSql(`drop index "customer_search_trgm_index";`);
    this.addSql(`create index "customer_search_trgm_index" on "customer" using gin ("search_text" gin_trgm_ops);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "customer_search_trgm_index";`);
    this.addSql(`alter table "customer" drop column "search_text";`);
    this.addSql(
      `create index "customer_search_trgm_index" on "customer" using gin ((lower("full_name" || ' ' || "phone_number" || ' ' || coalesce("username", '') || ' ' || "platform" || ' ' || coalesce("assistant_name", '') || ' ' || "status")) gin_trgm_ops);`,
    );
  }
}
