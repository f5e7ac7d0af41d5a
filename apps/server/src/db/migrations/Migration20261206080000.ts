import { Migration } from '@mikro-orm/migrations';

/**
 * A customer's `recall_time` is bounded to the instants the API accepts (`INSTANT_RANGE` of @cims/contracts: from
 * 1970-01-01T00:00:00Z up to, not including, 3000-01-01T00:00:00Z), so no client can store one that no response can
 * show (`9999-12-31T23:59:59Z` is the year 10000 in the business zone).
 *
 * The bounds are written in Unix seconds (32503680000 is 3000-01-01T00:00:00Z): a timestamptz literal would be stored
 * rewritten in the session's time zone. Rows stored out of range before are clamped to the nearest end of the range first, and the CHECK is then validated
 * on every row. Not a `NOT VALID` constraint: PostgreSQL checks even a not-validated CHECK on every later UPDATE of a
 * row, so such a customer could then not be edited at all (a status change, an archive) until someone fixed the value
 * by hand. Clamping keeps what the value meant (far in the future, or long overdue) and its place in any order; the
 * exact out-of-range instant is lost, which no client could be shown anyway. Only out-of-range rows are written.
 */
export class Migration20261206080000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `update "customer" set "recall_time" = case when "recall_time" < timestamptz '1970-01-01 00:00:00+00' then timestamptz '1970-01-01 00:00:00+00' else timestamptz '2999-12-31 23:59:59.999+00' end where "recall_time" < timestamptz '1970-01-01 00:00:00+00' or "recall_time" >= timestamptz '3000-01-01 00:00:00+00';`,
    );
    this.addSql(
      `alter table "customer" add constraint "customer_recall_time_range" check (extract(epoch from recall_time) >= 0 and extract(epoch from recall_time) < 32503680000);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "customer" drop constraint "customer_recall_time_range";`);
  }
}
