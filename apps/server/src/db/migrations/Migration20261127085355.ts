import { Migration } from '@mikro-orm/migrations';

export class Migration20261127085355 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "customer_daily_count_live_day_index" on "customer_daily_count" ("day") where not "archived";`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "customer_daily_count_live_day_index";`);
  }
}
