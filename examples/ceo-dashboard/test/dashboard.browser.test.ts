import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InstagramGrowth } from '@cims/contracts';
import { FAKE_GRAPH_DEMO, type FakeGraphApi, type GraphScenario } from '@cims/mocks';
import { startFakeGraphApi } from '@cims/mocks/node';
import { createTestApp, type TestApp } from '@cims/server/testing';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundleReport, formatBundleReport } from '../vite-plugins.js';
import { buildDashboard } from './build-app.js';
import { type StaticServer, serveStatic } from './static-server.js';

const CHROMIUM = '/usr/bin/chromium';
const results = fileURLToPath(new URL('../test-results', import.meta.url));
const CEO = { email: 'ceo@cims.local', password: 'ceo-demo-password' };

/** What differs between the modes: where the API is, and how the test reaches the fake Graph API. */
interface Mode {
  name: 'mock' | 'live';
  /** The app's origin. */
  appUrl: string;
  /** The API's base URL as the app's SDK sees it. */
  apiUrl: string;
  setGraphScenario(page: Page, scenario: GraphScenario): Promise<void>;
}

/** A short, valid WAV file (8 kHz, 8-bit mono, 0.1 s of silence): a call recording for the customer form. */
function wavRecording(): Buffer {
  const samples = 800;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples, 40);
  return Buffer.concat([header, Buffer.alloc(samples, 128)]);
}

/** The text of an element, `''` when it has none. */
async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** A GET (or a POST) on the API from inside the page, with the access token the app stored, or another one. */
function apiCall<T>(
  page: Page,
  mode: Mode,
  route: string,
  options: { method?: string; token?: string } = {},
): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ url, method, token }) => {
      const bearer = token ?? localStorage.getItem('cims_access_token');
      const res = await fetch(url, { method, headers: bearer ? { Authorization: `Bearer ${bearer}` } : {} });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    { url: `${mode.apiUrl}${route}`, method: options.method ?? 'GET', token: options.token },
  );
}

/** Signs in from the page without the app (another device): a session the app does not know. */
function signInElsewhere(page: Page, mode: Mode): Promise<string> {
  return page.evaluate(
    async ({ url, email, password }) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: email, password, grant_type: 'password' }),
      });
      if (res.status !== 200) throw new Error(`sign-in answered ${res.status}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    { url: `${mode.apiUrl}/auth/login`, ...CEO },
  );
}

async function signIn(page: Page, password = CEO.password) {
  await page.getByLabel('E-mail').fill(CEO.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The number in the pipeline legend next to a status label. */
async function pipelineCount(page: Page, label: string): Promise<number> {
  const item = page
    .getByRole('list', { name: 'Customers per status' })
    .getByRole('listitem')
    .filter({ hasText: label });
  return Number((await text(item.locator('strong'))).replaceAll(',', ''));
}

async function managerLoadTotal(page: Page): Promise<number> {
  const cells = page.getByRole('table', { name: 'Sales manager load' }).locator('tbody td');
  const texts = await cells.allInnerTexts();
  return texts.reduce((sum, text) => sum + Number(text.replaceAll(',', '').trim()), 0);
}

async function expectGrowthShown(page: Page, mode: Mode) {
  const { status, body: growth } = await apiCall<InstagramGrowth>(page, mode, '/instagram/growth');
  expect(status).toBe(200);
  expect(growth.current_followers).not.toBeNull();
  const figure = page.getByText('Current followers').locator('..');
  await expect.poll(() => text(figure)).toContain(new Intl.NumberFormat('en-US').format(growth.current_followers ?? 0));
  const table = page.getByRole('table', { name: 'Follower growth' });
  for (const days of [7, 30, 90, 180, 365] as const) {
    const window = growth[`last_${days}_days`];
    const row = table.getByRole('row', { name: new RegExp(`^${days} days`) });
    await expect.poll(() => text(row)).toContain(window.complete ? 'complete' : 'incomplete');
    if (window.complete) expect(await text(row)).not.toContain('incomplete');
    if (window.growth !== null && window.growth !== 0) {
      const sign = window.growth > 0 ? '+' : '−';
      expect(await text(row)).toContain(`${sign}${new Intl.NumberFormat('en-US').format(Math.abs(window.growth))}`);
    }
  }
  return growth;
}

/** The daily history is drawn: a line through the days that have a snapshot, or a dot each when there are few. */
async function expectChartDrawn(page: Page, mode: Mode) {
  const { body: history } = await apiCall<{ points: { followers_count: number | null }[] }>(
    page,
    mode,
    '/instagram/history?days=90',
  );
  const known = history.points.filter((point) => point.followers_count !== null).length;
  expect(known).toBeGreaterThan(0);
  const chart = page.getByRole('figure', { name: /Followers per day/ });
  if (known < 3) {
    await expect.poll(() => chart.locator('.recharts-line-dot').count()).toBe(known);
    return;
  }
  const line = chart.locator('path.recharts-line-curve');
  await line.waitFor();
  // One segment per day at least (gaps in the history split the line).
  await expect
    .poll(async () => ((await line.getAttribute('d')) ?? '').match(/[LC]/g)?.length ?? 0)
    .toBeGreaterThan(known / 2);
}

/**
 * The journey the issue asks for, the same in both modes: sign in, see the growth and the chart, sync (and meet a
 * Graph error), create a customer and see it in the pipeline, see the sessions, log out everywhere, and have an
 * expired session bring the user back to the sign-in page.
 */
async function walkThrough(browser: Browser, mode: Mode, setUpInstagram: (page: Page) => Promise<void>) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const outside: string[] = [];
  const problems: string[] = [];
  context.on('request', (request) => {
    const url = request.url();
    if (!/^(https?:\/\/127\.0\.0\.1[:/]|data:|blob:)/.test(url)) outside.push(url);
  });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    // The browser logs every 4xx it receives; the app meets some on purpose (a wrong password, a refused refresh).
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(message.text());
    }
  });
  try {
    // --- sign in: a wrong password is refused with a message, the right one opens the dashboard
    await page.goto(mode.appUrl);
    await page.getByRole('heading', { name: 'Sign in to the CEO dashboard' }).waitFor();
    await signIn(page, 'not-the-password');
    await expect.poll(() => text(page.getByRole('alert'))).toContain('Wrong e-mail or password');
    await signIn(page);
    await page.getByRole('heading', { name: 'CEO dashboard', exact: true }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('cims_refresh_token'))).toBeTruthy();

    // --- the session survives a reload
    await page.reload();
    await page.getByRole('heading', { name: 'CEO dashboard', exact: true }).waitFor();
    await expect(page.getByRole('heading', { name: 'Sign in to the CEO dashboard' }).count()).resolves.toBe(0);

    // --- a refused access token is refreshed by itself: the user notices nothing, the refresh token rotates
    const refreshToken = await page.evaluate(() => localStorage.getItem('cims_refresh_token'));
    await page.evaluate(() => localStorage.setItem('cims_access_token', 'no-longer-valid'));
    const sessions = page.getByRole('region', { name: 'Sessions' });
    await sessions.getByRole('button', { name: 'Refresh sessions' }).click();
    await expect.poll(() => page.evaluate(() => localStorage.getItem('cims_refresh_token'))).not.toBe(refreshToken);
    await sessions.getByRole('table', { name: 'Your sessions' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('cims_access_token'))).not.toBe('no-longer-valid');
    await expect(page.getByRole('heading', { name: 'Sign in to the CEO dashboard' }).count()).resolves.toBe(0);

    // --- Instagram: connected, growth numbers, the chart, sync now, a Graph error and a reconnection
    const instagram = page.getByRole('region', { name: 'Instagram' });
    await setUpInstagram(page);
    await instagram.getByText(`@${FAKE_GRAPH_DEMO.username}`).waitFor();
    await instagram.getByRole('button', { name: 'Sync now' }).click();
    const synced = instagram.getByRole('status').filter({ hasText: 'Synced:' });
    await synced.waitFor();
    const growth = await expectGrowthShown(page, mode);
    expect(await text(synced)).toContain(
      `has ${new Intl.NumberFormat('en-US').format(growth.current_followers ?? 0)} followers`,
    );
    await expectChartDrawn(page, mode);

    await mode.setGraphScenario(page, 'expired-token');
    await instagram.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => text(instagram.getByRole('alert').first())).toContain('Instagram needs to be reconnected');
    await instagram.getByText('Reconnect required').waitFor();
    await mode.setGraphScenario(page, 'healthy');
    const reconnect = instagram.getByRole('form', { name: 'Reconnect the Instagram account' });
    await reconnect.getByLabel('Access token').fill(FAKE_GRAPH_DEMO.token);
    await reconnect.getByRole('button', { name: 'Reconnect' }).click();
    await instagram.getByText('Connected', { exact: true }).waitFor();
    await instagram.getByRole('button', { name: 'Sync now' }).click();
    await instagram.getByRole('status').filter({ hasText: 'Synced:' }).waitFor();

    // --- CRM: create a customer (multipart, with a recording) and see it in the list, the pipeline and the load
    const crm = page.getByRole('region', { name: 'CRM' });
    await crm.getByRole('list', { name: 'Customers per status' }).waitFor();
    const before = await pipelineCount(page, 'Need to Call');
    const loadBefore = await managerLoadTotal(page);
    const name = `Dilnoza Karimova (${mode.name})`;
    const form = crm.getByRole('form', { name: 'New customer' });
    await form.getByLabel('Full name').fill(name);
    await form.getByLabel('Phone number').fill('90 555 12 34');
    await form.getByLabel('Platform').selectOption('instagram');
    await form.getByLabel('Status').selectOption({ label: 'Need to Call' });
    await form.getByLabel('Call recording (optional)').setInputFiles({
      name: 'call.wav',
      mimeType: 'audio/wav',
      buffer: wavRecording(),
    });
    await form.getByRole('button', { name: 'Create customer' }).click();
    await expect.poll(() => text(form.getByRole('status'))).toContain(`“${name}” created (#`);
    await crm.getByRole('table', { name: 'Latest customers' }).getByRole('row').filter({ hasText: name }).waitFor();
    await expect.poll(() => pipelineCount(page, 'Need to Call')).toBe(before + 1);
    await expect.poll(() => managerLoadTotal(page)).toBe(loadBefore + 1);
    const latest = await apiCall<{ full_name: string; phone_number: string; audio_url: string | null }[]>(
      page,
      mode,
      '/crm/customers/latest?limit=1',
    );
    expect(latest.body[0]).toMatchObject({ full_name: name, phone_number: '+998905551234' });
    expect(latest.body[0]?.audio_url).toBeTruthy();

    mkdirSync(results, { recursive: true });
    await page.screenshot({ path: path.join(results, `dashboard-${mode.name}.png`), fullPage: true });

    // --- sessions: this device and another one; log out everywhere ends both and lands on the sign-in page
    const otherDevice = await signInElsewhere(page, mode);
    await sessions.getByRole('button', { name: 'Refresh sessions' }).click();
    const rows = sessions.getByRole('table', { name: 'Your sessions' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await expect(sessions.getByText('This device', { exact: true }).count()).resolves.toBe(1);
    await sessions.getByRole('button', { name: 'Log out everywhere' }).click();
    await page.getByRole('heading', { name: 'Sign in to the CEO dashboard' }).waitFor();
    expect(await text(page.getByRole('status'))).toContain('You signed out everywhere: 2 sessions ended.');
    expect(await page.evaluate(() => localStorage.getItem('cims_access_token'))).toBeNull();
    expect((await apiCall(page, mode, '/auth/me', { token: otherDevice })).status).toBe(401);

    // --- a session ended behind the app's back: the next call fails to refresh and returns to the sign-in page
    await signIn(page);
    await page.getByRole('heading', { name: 'CEO dashboard', exact: true }).waitFor();
    await sessions.getByRole('table', { name: 'Your sessions' }).waitFor();
    expect((await apiCall(page, mode, '/auth/logout-all', { method: 'POST' })).status).toBe(200);
    // The next call the app makes fails to refresh. Usually that is this click; a call the app was already making
    // may get there first and take the button away, which is the same outcome.
    const signInPage = page.getByRole('heading', { name: 'Sign in to the CEO dashboard' });
    await sessions
      .getByRole('button', { name: 'Refresh sessions' })
      .click({ timeout: 5_000 })
      .catch(async (error: unknown) => {
        if (!(await signInPage.isVisible())) throw error;
      });
    await signInPage.waitFor();
    expect(await text(page.getByRole('alert'))).toContain('Your session has expired. Please sign in again.');

    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  } catch (error) {
    // What the page showed when it went wrong, and what it logged.
    mkdirSync(results, { recursive: true });
    await page.screenshot({ path: path.join(results, `failure-${mode.name}.png`), fullPage: true }).catch(() => {});
    if (problems.length > 0) console.error(`Page problems (${mode.name}):`, problems);
    throw error;
  } finally {
    await context.close();
  }
}

function recordBundle(mode: 'mock' | 'live', report: BundleReport) {
  mkdirSync(results, { recursive: true });
  writeFileSync(path.join(results, `bundle-${mode}.json`), `${JSON.stringify(report, null, 2)}\n`);
  console.log(formatBundleReport(`ceo-dashboard (${mode})`, report));
}

// CI installs Debian's Chromium and always runs this (a missing browser fails there); elsewhere it runs when present.
describe.runIf(existsSync(CHROMIUM) || Boolean(process.env.CI))('the CEO dashboard in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        // Nothing but this machine: a request that leaves it fails (and the test lists it).
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('mock mode: @cims/mocks in a service worker, no server', () => {
    const outDir = path.join(results, 'build-mock');
    let app: StaticServer;
    let report: BundleReport;
    beforeAll(async () => {
      report = await buildDashboard({ mode: 'mock', outDir });
      recordBundle('mock', report);
      app = await serveStatic(outDir);
    });
    afterAll(async () => {
      await app?.close();
    });

    it('ships MSW’s own worker script, unchanged', () => {
      const shipped = readFileSync(path.join(outDir, 'mockServiceWorker.js'), 'utf8');
      const msw = createRequire(import.meta.url).resolve('msw/mockServiceWorker.js');
      expect(shipped).toBe(readFileSync(msw, 'utf8'));
    });

    it('signs in, shows the growth and the chart, syncs, creates a customer, logs out everywhere', async () => {
      const mode: Mode = {
        name: 'mock',
        appUrl: app.url,
        apiUrl: `${app.url}/api`,
        setGraphScenario: (page, scenario) =>
          page.evaluate((name) => {
            (window as unknown as { mocks: { graph: FakeGraphApi } }).mocks.graph.useScenario(name);
          }, scenario),
      };
      // The default mocks have the demo account connected, with a long history.
      await walkThrough(browser, mode, async (page) => {
        const instagram = page.getByRole('region', { name: 'Instagram' });
        await instagram.getByText('Connected', { exact: true }).waitFor();
        await expectGrowthShown(page, mode);
        await expectChartDrawn(page, mode);
      });
    });
  });

  describe('live mode: a server with CORS, the fake Graph API behind it', () => {
    const outDir = path.join(results, 'build-live');
    let app: StaticServer;
    let graph: Awaited<ReturnType<typeof startFakeGraphApi>>;
    let server: TestApp;
    let report: BundleReport;
    beforeAll(async () => {
      // The app's origin must be known first: the server only answers browsers from CORS_ORIGINS.
      app = await serveStatic(outDir);
      graph = await startFakeGraphApi();
      server = await createTestApp({
        env: {
          // As `pnpm start` runs it: the demo users and the demo customers (test worlds skip the customers).
          NODE_ENV: 'development',
          CIMS_DEMO_DATA: 'true',
          CORS_ORIGINS: app.url,
          GRAPH_API_BASE_URL: graph.url,
          META_APP_ID: FAKE_GRAPH_DEMO.appId,
          META_APP_SECRET: FAKE_GRAPH_DEMO.appSecret,
        },
      });
      report = await buildDashboard({ mode: 'live', outDir, apiUrl: server.url });
      recordBundle('live', report);
    });
    afterAll(async () => {
      await app?.close();
      await server?.close();
      await graph?.close();
    });

    it('carries no mock code, and stays within its size budget', () => {
      // 230 kB gzip today (React, recharts, zod and the contract's schemas); the mocks would add ~240 kB.
      expect(report.initial.gzipBytes).toBeLessThan(260_000);
      expect(existsSync(path.join(outDir, 'mockServiceWorker.js'))).toBe(false);
      const code = report.files
        .filter((file) => file.file.endsWith('.js'))
        .map((file) => readFileSync(path.join(outDir, file.file), 'utf8'))
        .join('\n');
      expect(code).not.toContain('mockServiceWorker');
      expect(code).toContain(server.url);
    });

    it('signs in, connects Instagram, syncs, creates a customer, logs out everywhere', async () => {
      const mode: Mode = {
        name: 'live',
        appUrl: app.url,
        apiUrl: server.url,
        setGraphScenario: async (_page, scenario) => graph.graph.useScenario(scenario),
      };
      // A fresh server has no account: the CEO connects it through the panel's form.
      await walkThrough(browser, mode, async (page) => {
        const instagram = page.getByRole('region', { name: 'Instagram' });
        const connect = instagram.getByRole('form', { name: 'Connect an Instagram account' });
        await connect.getByLabel('Username').fill(FAKE_GRAPH_DEMO.username);
        await connect.getByLabel('Instagram business account id').fill(FAKE_GRAPH_DEMO.accountId);
        await connect.getByLabel('Facebook page id').fill(FAKE_GRAPH_DEMO.pageId);
        await connect.getByLabel('Access token').fill(FAKE_GRAPH_DEMO.token);
        await connect.getByRole('button', { name: 'Connect' }).click();
        await instagram.getByText('Connected', { exact: true }).waitFor();
      });
      // The number on the screen is the one the Graph API gave.
      const demo = graph.graph.accounts.get(FAKE_GRAPH_DEMO.accountId);
      const growth = await server.client.login(CEO).then(() => server.client.instagram.growth());
      expect(growth.status === 200 && growth.body.current_followers).toBe(demo?.followers_count);
    });
  });
});
