import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Client } from 'pg';
import type {
  LegacyCustomerFact,
  LegacyFacts,
  LegacyImageFact,
  LegacyInstagramSnapshot,
  LegacyUserFact,
} from './facts.js';
import { pngBytes } from './media.js';
import type { SeededRandom } from './random.js';
import { addDays, toNaiveUtc, utcNaiveToIso } from './time.js';
import { MISSING_IMAGE_USER_KEY } from './users.js';

/** First and last day of the Instagram history: 400 days. */
const INSTAGRAM_FIRST_DAY = Date.parse('2025-06-02T00:00:00Z');
const INSTAGRAM_DAYS = 400;
/** Nine days without snapshots (the legacy app had no scheduler: its sync endpoint was only called by hand). */
const OUTAGE = { from: Date.parse('2025-12-24T00:00:00Z'), days: 9 };

/**
 * The Instagram account (plaintext access token) and daily snapshots over ~400 days with gaps: a nine-day outage and
 * scattered missing days.
 */
export async function insertInstagram(
  client: Client,
  random: SeededRandom,
): Promise<NonNullable<LegacyFacts['instagram']>> {
  const accessToken = `EAAG${random.bytes(132).toString('base64url')}`;
  const lastSynced = '2026-07-06 04:12:37';
  const tokenExpires = '2026-08-20 09:00:00';
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO instagram_account (account_username, instagram_business_account_id, facebook_page_id, access_token,
       token_expires_at, is_active, last_synced_at, created_at, updated_at)
     VALUES ('cognilabs', '17841400000000001', '102938475610293', $1, $2, true, $3, '2025-06-01 10:00:00', $3)
     RETURNING id`,
    [accessToken, tokenExpires, lastSynced],
  );
  const accountId = (rows[0] as { id: number }).id;

  const snapshots: LegacyInstagramSnapshot[] = [];
  const missingDates: string[] = [];
  let followers = 1_840;
  let following = 312;
  let media = 148;
  for (let day = 0; day < INSTAGRAM_DAYS; day++) {
    const at = INSTAGRAM_FIRST_DAY + day * 86_400_000;
    const date = new Date(at).toISOString().slice(0, 10);
    followers = Math.max(0, followers + random.int(-6, 14));
    if (random.chance(0.1)) following += random.int(-1, 2);
    if (random.chance(0.3)) media += 1;
    const inOutage = at >= OUTAGE.from && at < OUTAGE.from + OUTAGE.days * 86_400_000;
    // Never drop the first or last day, so the history's span is exactly what the facts say.
    if (inOutage || (day > 0 && day < INSTAGRAM_DAYS - 1 && random.chance(0.06))) {
      missingDates.push(date);
      continue;
    }
    snapshots.push({ date, followers, following, media });
  }
  await client.query(
    `INSERT INTO instagram_stats (account_id, date, followers_count, following_count, media_count, created_at)
     SELECT $1, d::date, f, fo, m, d::timestamp + interval '4 hours 12 minutes'
     FROM unnest($2::text[], $3::int[], $4::int[], $5::int[]) AS s(d, f, fo, m)`,
    [
      accountId,
      snapshots.map((s) => s.date),
      snapshots.map((s) => s.followers),
      snapshots.map((s) => s.following),
      snapshots.map((s) => s.media),
    ],
  );
  return {
    accountId,
    username: 'cognilabs',
    businessAccountId: '17841400000000001',
    facebookPageId: '102938475610293',
    accessToken,
    tokenExpiresAt: utcNaiveToIso(tokenExpires),
    lastSyncedAt: utcNaiveToIso(lastSynced),
    snapshots,
    missingDates,
  };
}

/**
 * The PNG behind every `user.profile_image`; written under `<imagesDir>/profil_images/` when `imagesDir` is given,
 * except the one of the `imageMissing` user, which stays referenced but absent.
 */
export async function writeProfileImages(
  users: LegacyUserFact[],
  imagesDir: string | undefined,
): Promise<LegacyImageFact[]> {
  const files: LegacyImageFact[] = [];
  for (const user of users) {
    if (!user.profileImage) continue;
    const relativePath = user.profileImage.replace(/^\/images\//, '');
    const bytes = pngBytes(user.id * 2_654_435_761);
    const onDisk = user.key !== MISSING_IMAGE_USER_KEY;
    if (imagesDir && onDisk) {
      const target = join(imagesDir, relativePath);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    }
    files.push({ userId: user.id, storedPath: user.profileImage, relativePath, bytes, onDisk });
  }
  return files;
}

/** The recall bot's dedupe rows for customers with a recall time: one sent reminder and one that failed. */
export async function insertRecallNotifications(client: Client, customers: LegacyCustomerFact[]): Promise<void> {
  const withRecall = customers.filter((c) => c.recallTimeStored !== null);
  for (const [i, customer] of withRecall.entries()) {
    const scheduled = customer.recallTimeStored as string;
    const sent = i % 2 === 0;
    const reminderAt = toNaiveUtc(addDays(new Date(utcNaiveToIso(scheduled)), -30 / 1440));
    await client.query(
      `INSERT INTO recall_notification_log (customer_id, recipient_chat_id, reminder_minutes, scheduled_for,
         notification_sent, sent_at, error_message, created_at)
       VALUES ($1, '987654321', 30, $2, $3, $4, $5, $6)`,
      [
        customer.id,
        scheduled,
        sent,
        sent ? reminderAt : null,
        sent ? null : 'Forbidden: bot was blocked by the user',
        reminderAt,
      ],
    );
  }
}
