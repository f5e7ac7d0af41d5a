import { Migration } from '@mikro-orm/migrations';

/**
 * `app_user.registration_contested_at`: set when an unverified address is registered a second time; such an account is
 * then finished only through reset-password (a verification code would verify it with the first registrant's password).
 */
export class Migration20261206084156 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "app_user" add column "registration_contested_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "app_user" drop column "registration_contested_at";`);
  }
}
