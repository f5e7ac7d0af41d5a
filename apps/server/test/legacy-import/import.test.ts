import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PhoneSchema, PlatformSchema } from '@cims/contracts';
import { type LegacyDatabase, startFakeTelegramBotApi } from '@cims/legacy-fixture';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/legacy-import/report.js';
import { legacyLoginBody } from '../auth/helpers.js';
import { createTestApp, type TestApp } from '../harness.js';
import {
  createImportTarget,
  type ImportTarget,
  importLegacy,
  legacyDatabase,
  legacyServerReachable,
} from './helpers.js';

// Each command is a new process (the compiled server, the database, migrations): allow them time on a busy machine.
const CLI_TIMEOUT = 240_000;
const BOT_TOKEN = '123456:legacy-audio-bot-token';

/**
 * What the import stores for a legacy platform or phone number: today's form where today's rules take it (a platform
 * key, E.164 in the default region), the text as it was otherwise.
 */
const storedPlatform = (platform: string) => {
  const parsed = PlatformSchema.safeParse(platform);
  return parsed.success ? parsed.data : platform;
};
const storedPhone = (phone: string) => {
  const parsed = PhoneSchema.safeParse(phone).success ? parsePhoneNumberFromString(phone, 'UZ') : undefined;
  return parsed?.isValid() ? parsed.number : phone;
};

/** The legacy client's sign-in: the OAuth2 password form. */
async function signIn(t: TestApp, email: string, password: string) {
  return fetch(`${t.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: legacyLoginBody(email, password),
  });
}

async function bearer(t: TestApp, email: string, password: string): Promise<Record<string, string>> {
  const res = await signIn(t, email, password);
  expect(res.status, `${email} signs in`).toBe(200);
  const body = (await res.json()) as { access_token: string };
  return { authorization: `Bearer ${body.access_token}` };
}

async function getJson<T = Record<string, unknown>>(t: TestApp, url: string, headers: Record<string, string>) {
  const res = await fetch(`${t.url}${url}`, { headers });
  expect(res.status, `GET ${url}`).toBe(200);
  return (await res.json()) as T;
}

describe.skipIf(!(await legacyServerReachable()))('pnpm cims import-legacy', () => {
  let legacy: LegacyDatabase;
  let target: ImportTarget;
  let bot: Awaited<ReturnType<typeof startFakeTelegramBotApi>>;
  let imagesDir: string;
  let reportDir: string;
  let t: TestApp;
  let report: ImportReport;

  const run = (args: string[], name: string) => {
    const file = path.join(reportDir, `${name}.json`);
    return importLegacy(legacy, target, [...args, '--files-dir', imagesDir, '--report', file], {
      TELEGRAM_AUDIO_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_BASE_URL: bot.url,
    }).then((result) => ({
      ...result,
      report: (() => {
        try {
          return JSON.parse(readFileSync(file, 'utf8')) as ImportReport;
        } catch {
          return undefined;
        }
      })(),
    }));
  };

  beforeAll(async () => {
    imagesDir = mkdtempSync(path.join(tmpdir(), 'cims-legacy-images-'));
    reportDir = mkdtempSync(path.join(tmpdir(), 'cims-legacy-reports-'));
    legacy = await legacyDatabase({ imagesDir });
    bot = await startFakeTelegramBotApi({ token: BOT_TOKEN, files: legacy.facts.audioFiles });
    target = await createImportTarget();
  }, CLI_TIMEOUT);

  afterAll(async () => {
    await t?.close();
    await target?.[Symbol.asyncDispose]();
    await bot?.close();
    await legacy?.drop();
    rmSync(imagesDir, { recursive: true, force: true });
    rmSync(reportDir, { recursive: true, force: true });
  });

  it(
    'lists every row it cannot take and writes nothing, unless told to skip them',
    async () => {
      const first = await run([], 'strict');
      expect(first.code, first.output).toBe(1);
      expect(first.report?.outcome).toBe('rolled back');
      const invalid = first.report?.invalid ?? [];
      const facts = legacy.facts;
      const upper = facts.usersByKey.caseDuplicateUpper;
      const lower = facts.usersByKey.caseDuplicateLower;
      // Addresses that differ only in case are a conflict, both listed, never merged.
      for (const user of [upper, lower]) {
        expect(invalid).toContainEqual(expect.objectContaining({ table: 'user', id: String(user?.id) }));
      }
      for (const id of facts.undecryptableCustomerIds) {
        expect(invalid).toContainEqual({
          table: 'customer',
          id: String(id),
          reason: expect.stringContaining('wrong key or altered value'),
        });
      }
      for (const id of facts.corruptCustomerIds) {
        expect(invalid).toContainEqual({
          table: 'customer',
          id: String(id),
          reason: expect.stringContaining('not a Fernet token'),
        });
      }
      expect(first.output).toContain('Nothing was written');
      // Nothing was written: the same import runs again (an occupied target is refused), and no file was left behind.
      expect(target.blobFiles()).toEqual([]);
      const again = await run([], 'strict-again');
      expect(again.code).toBe(1);
      expect(again.report?.invalid).toEqual(invalid);
    },
    CLI_TIMEOUT,
  );

  it(
    '--dry-run does all the work, files included, and rolls back',
    async () => {
      const downloadsBefore = bot.requests.filter((r) => r.kind === 'download').length;
      const dry = await run(['--dry-run', '--skip-invalid'], 'dry');
      expect(dry.code, dry.output).toBe(0);
      expect(dry.report?.mode).toBe('dry-run');
      expect(dry.report?.outcome).toBe('rolled back');
      expect(dry.report?.files.recordings.imported).toBeGreaterThan(0);
      expect(bot.requests.filter((r) => r.kind === 'download').length).toBeGreaterThan(downloadsBefore);
      expect(target.blobFiles()).toEqual([]);
    },
    CLI_TIMEOUT,
  );

  it(
    'imports the rest with --skip-invalid, and then refuses a second import, naming what is there',
    async () => {
      const done = await run(['--skip-invalid'], 'import');
      expect(done.code, done.output).toBe(0);
      expect(done.report?.outcome).toBe('committed');
      report = done.report as ImportReport;
      const facts = legacy.facts;
      const broken = facts.undecryptableCustomerIds.length + facts.corruptCustomerIds.length;
      expect(report.tables.customer).toMatchObject({ read: facts.counts.customer, skipped: broken });
      expect(report.tables.customer?.imported).toBe(facts.counts.customer - broken);
      expect(report.tables.customer_note?.imported).toBe(
        facts.notes.filter(
          (n) =>
            !facts.undecryptableCustomerIds.includes(n.customerId) && !facts.corruptCustomerIds.includes(n.customerId),
        ).length,
      );
      expect(report.tables.instagram_stats?.imported).toBe(facts.instagram?.snapshots.length);
      // Every user whose powers change is listed: the CEO by role alone gains the CRM's archive powers.
      const byRole = facts.usersByKey.ceoByRole;
      expect(report.powers.find((p) => p.user_id === byRole?.id)?.changes.join(' ')).toContain('archive');
      // Missing files are reported, not fatal.
      const missingImage = facts.images.files.find((f) => !f.onDisk);
      expect(report.files.profile_images.missing).toContainEqual(
        expect.objectContaining({ id: String(missingImage?.userId), reason: expect.stringContaining('no such file') }),
      );
      expect(report.files.recordings.imported).toBe(Object.keys(facts.audioFiles).length);

      const refused = await run(['--skip-invalid'], 'second');
      expect(refused.code).toBe(1);
      expect(refused.output).toMatch(/not empty: it has \d+ users \(/);

      t = await createTestApp({ existing: target.existing, env: target.env });
    },
    CLI_TIMEOUT,
  );

  it('lets every legacy user sign in with their legacy password', async () => {
    const facts = legacy.facts;
    const conflicts = new Set([facts.usersByKey.caseDuplicateUpper?.id, facts.usersByKey.caseDuplicateLower?.id]);
    for (const user of facts.users) {
      const res = await signIn(t, user.email, user.password);
      if (conflicts.has(user.id) || !user.isActive) expect(res.status, user.email).not.toBe(200);
      else expect(res.status, `${user.email} (${user.key})`).toBe(200);
    }
    const wrong = await signIn(t, facts.usersByKey.ceoBoth?.email ?? '', 'not-the-password');
    expect(wrong.status).toBe(401);
  });

  it('shows the decrypted customers under their legacy ids, with their times converted', async () => {
    const facts = legacy.facts;
    const ceo = facts.usersByKey.ceoBoth;
    const headers = await bearer(t, ceo?.email ?? '', ceo?.password ?? '');
    for (const customer of facts.customers) {
      const detail = await getJson(t, `/crm/detail/${customer.id}`, headers);
      expect(detail, customer.key).toMatchObject({
        id: customer.id,
        full_name: customer.fullName,
        phone_number: storedPhone(customer.phoneNumber),
        platform: storedPlatform(customer.platform),
        status: customer.effectiveStatus,
        is_archived: customer.archived,
      });
      expect(new Date(String(detail.created_at)).toISOString(), customer.key).toBe(customer.createdAt);
      if (customer.recallTime) {
        expect(new Date(String(detail.recall_time)).toISOString(), customer.key).toBe(customer.recallTime);
      }
    }
    const dashboard = await getJson<{ customers: { id: number; full_name: string }[] }>(
      t,
      '/crm/dashboard?page_size=50&show_all=true',
      headers,
    );
    const visible = facts.customers.filter((c) => !c.archived);
    for (const customer of visible) {
      expect(dashboard.customers).toContainEqual(
        expect.objectContaining({ id: customer.id, full_name: customer.fullName }),
      );
    }
  });

  it('keeps notes with their authors and the status history', async () => {
    const facts = legacy.facts;
    const ceo = facts.usersByKey.ceoBoth;
    const headers = await bearer(t, ceo?.email ?? '', ceo?.password ?? '');
    const withNotes = facts.notes.find(
      (n) => n.authorId !== null && facts.customers.some((c) => c.id === n.customerId),
    );
    const notes = await getJson<{ items: { id: number; note: string; created_by: number | null }[] }>(
      t,
      `/crm/customers/${withNotes?.customerId}/notes`,
      headers,
    );
    expect(notes.items).toContainEqual(
      expect.objectContaining({ id: withNotes?.id, note: withNotes?.note, created_by: withNotes?.authorId }),
    );
    const change = facts.statusChanges.find((c) => facts.customers.some((x) => x.id === c.customerId));
    const history = await getJson<{ from_status: string | null; to_status: string }[]>(
      t,
      `/crm/customers/${change?.customerId}/status-history`,
      headers,
    );
    // The first entry is the status the customer was created with; the legacy changes follow.
    expect(history[0]?.from_status).toBeNull();
    expect(history).toContainEqual(expect.objectContaining({ from_status: change?.from, to_status: change?.to }));
  });

  it('keeps a browser with a live legacy refresh token signed in, and only that one', async () => {
    for (const token of legacy.facts.refreshTokens) {
      const res = await fetch(`${t.url}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: token.token }),
      });
      expect(res.status, token.kind).toBe(token.kind === 'active' ? 200 : 401);
      if (token.kind === 'active') {
        const pair = (await res.json()) as { access_token: string; refresh_token: string };
        expect(pair.refresh_token).not.toBe(token.token);
        const me = await getJson<{ id: number }>(t, '/auth/me', { authorization: `Bearer ${pair.access_token}` });
        expect(me.id).toBe(token.userId);
      }
    }
  });

  it('answers Instagram growth and history from the imported snapshots', async () => {
    const instagram = legacy.facts.instagram;
    if (!instagram) throw new Error('the fixture has an Instagram account');
    const ceo = legacy.facts.usersByKey.ceoBoth;
    const headers = await bearer(t, ceo?.email ?? '', ceo?.password ?? '');
    const newest = instagram.snapshots.reduce((a, b) => (a.date > b.date ? a : b));
    const growth = await getJson<{ current_followers: number; as_of: string }>(t, '/instagram/growth', headers);
    expect(growth).toMatchObject({ current_followers: newest.followers, as_of: newest.date });
    const account = await getJson<{ connected: boolean }>(t, '/instagram/account', headers);
    expect(account.connected).toBe(true);
    // The chart: one point per day up to today, the imported counts on their days, the gaps as nulls.
    const chart = await getJson<{ points: { date: string; followers_count: number | null }[] }>(
      t,
      '/instagram/history?days=3660',
      headers,
    );
    const byDate = new Map(chart.points.map((p) => [p.date, p.followers_count]));
    for (const snapshot of instagram.snapshots)
      expect(byDate.get(snapshot.date), snapshot.date).toBe(snapshot.followers);
    for (const day of instagram.missingDates) expect(byDate.get(day), day).toBeNull();
  });

  it('serves the imported profile pictures and call recordings', async () => {
    const facts = legacy.facts;
    const image = facts.images.files.find((f) => f.onDisk);
    const owner = facts.users.find((u) => u.id === image?.userId);
    const headers = await bearer(t, owner?.email ?? '', owner?.password ?? '');
    const me = await getJson<{ profile_image: string }>(t, '/auth/me', headers);
    const picture = await fetch(`${t.url}${me.profile_image}`);
    expect(picture.status).toBe(200);
    expect(new Uint8Array(await picture.arrayBuffer())).toEqual(new Uint8Array(image?.bytes ?? []));

    const ceo = facts.usersByKey.ceoBoth;
    const ceoHeaders = await bearer(t, ceo?.email ?? '', ceo?.password ?? '');
    const withAudio = facts.customers.find((c) => c.audioFileId !== null);
    const detail = await getJson<{ audio_url: string }>(t, `/crm/detail/${withAudio?.id}`, ceoHeaders);
    const audio = await fetch(`${t.url}${detail.audio_url}`);
    expect(audio.status).toBe(200);
    const expected = facts.audioFiles[withAudio?.audioFileId ?? ''];
    expect(new Uint8Array(await audio.arrayBuffer())).toEqual(new Uint8Array(expected?.bytes ?? []));
  });

  it("keeps imported values today's rules refuse editable, as the legacy client re-sends them", async () => {
    const facts = legacy.facts;
    const ceo = facts.usersByKey.ceoBoth;
    const headers = await bearer(t, ceo?.email ?? '', ceo?.password ?? '');
    const titleCase = (text: string) =>
      text.replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
    const patch = (id: number, fields: Record<string, string>) => {
      const form = new FormData();
      for (const [key, value] of Object.entries(fields)) form.set(key, value);
      return fetch(`${t.url}/crm/customers/${id}`, { method: 'PATCH', headers, body: form });
    };
    // Every field of the form comes back (the platform title-cased), with one real change: the status.
    for (const key of ['uzbekLatinName', 'phoneText', 'phoneTooLong', 'longName']) {
      const customer = facts.customersByKey[key];
      if (!customer) throw new Error(`the fixture has ${key}`);
      const res = await patch(customer.id, {
        full_name: customer.fullName,
        platform: titleCase(customer.platform),
        phone_number: customer.phoneNumber,
        status: 'finished',
        customer_status: 'finished',
      });
      expect(res.status, `${key}: ${await res.clone().text()}`).toBe(200);
      const detail = await getJson(t, `/crm/detail/${customer.id}`, headers);
      expect(detail, key).toMatchObject({
        full_name: customer.fullName,
        platform: storedPlatform(customer.platform),
        phone_number: storedPhone(customer.phoneNumber),
        status: 'finished',
      });
    }
    // A new value must pass today's rules.
    const customer = facts.customersByKey.uzbekLatinName;
    const refused = await patch(customer?.id ?? 0, { platform: 'Carrier pigeon' });
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { detail: { loc: string[] }[] };
    expect(body.detail[0]?.loc).toEqual(['body', 'platform']);
  });

  it('gives new rows ids after the legacy ones, and the next lead to the next sales manager', async () => {
    const ceo = legacy.facts.usersByKey.ceoBoth;
    const headers = await bearer(t, ceo?.email ?? '', ceo?.password ?? '');
    const res = await fetch(`${t.url}/crm/customers`, {
      method: 'POST',
      headers,
      body: new URLSearchParams({
        full_name: 'After the cut-over',
        platform: 'Telegram',
        phone_number: '+998901112233',
        status: 'contacted',
      }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: number; sales_manager_id: number | null };
    expect(created.id).toBeGreaterThan(
      // Also past the skipped ones: their old URLs must not name a new customer.
      Math.max(
        ...legacy.facts.customers.map((c) => c.id),
        ...legacy.facts.brokenCustomers.map((c) => c.id),
        legacy.facts.bulk.lastId ?? 0,
      ),
    );
    // The round robin goes on where the legacy app stopped: its counter is the index, among the active sales managers
    // by id, of the one who got the last customer.
    const managers = legacy.facts.users
      .filter((u) => u.role === 'sales_manager' && u.isActive)
      .map((u) => u.id)
      .sort((a, b) => a - b);
    expect(managers.length).toBeGreaterThan(1);
    expect(created.sales_manager_id).toBe(managers[(legacy.facts.salesManagerCounter + 1) % managers.length]);
  });
});
