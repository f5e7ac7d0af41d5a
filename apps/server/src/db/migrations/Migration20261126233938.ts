import { Migration } from '@mikro-orm/migrations';

export class Migration20261126233938 extends Migration {
  override async up(): Promise<void> {
    // Counters are short-lived; starting them over is harmless and lets the new column be required.
    this.addSql(`delete from "rate_limit_hit";`);
    this.addSql(`alter table "rate_limit_hit" add column "window_seconds" int not null;`);

    this.addSql(`alter table "refresh_token" add column "sealed_successor" text null;`);
    // Earlier grace-window refreshes could leave a session with several live tokens: keep the newest of each.
    this.addSql(`update "refresh_token" rt set "spent_at" = now() where rt."spent_at" is null and exists (
      select 1 from "refresh_token" o where o."session_id" = rt."session_id" and o."spent_at" is null and o."id" > rt."id")`);
    this.addSql(
      `create unique index "refresh_token_one_live_per_session" on "refresh_token" ("session_id") where "spent_at" is null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "rate_limit_hit" drop column "window_seconds";`);

    this.addSql(`drop index "refresh_token_one_live_per_session";`);
    this.addSql(`alter table "refresh_token" drop column "sealed_successor";`);
  }
}
