import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';

const CHROMIUM = '/usr/bin/chromium';
const screenshots = fileURLToPath(new URL('../../../../test-results', import.meta.url));

// A real browser renders /docs. CI installs Debian's Chromium and always runs this (a missing browser fails there);
// elsewhere the test runs when it is present.
describe.runIf(existsSync(CHROMIUM) || Boolean(process.env.CI))('/docs in a real browser', () => {
  it('renders the API reference from /openapi.json, with helmet’s CSP in force', async () => {
    await using t = await createTestApp();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      await page.goto(`${t.url}/docs/`);
      await page.getByText('CIMS API', { exact: false }).first().waitFor({ timeout: 20_000 });
      await page.locator('.opblock-summary-path', { hasText: '/readyz' }).waitFor();
      await expect(page.locator('.opblock-summary-path').allTextContents()).resolves.toEqual(
        expect.arrayContaining(['/healthz', '/readyz']),
      );
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: path.join(screenshots, 'docs.png'), fullPage: true });
      expect(problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
