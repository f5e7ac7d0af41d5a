import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeGraphApi } from '@cims/mocks/node';
import { createCimsClient, unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/runtime.js';
import { CEO } from '../auth/helpers.js';
import { cims } from '../cli.js';
import { postgresPass } from '../harness.js';
import { APP_ENV, DEMO_SETUP, days, FAKE_GRAPH_DEMO, FAST_GRAPH_ENV } from './helpers.js';

/** A data folder, the fake Graph API, and the environment a `pnpm cims` process gets. */
async function cliWorld() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cims-test-cli-'));
  const fake = await startFakeGraphApi();
  const env = {
    NODE_ENV: 'test',
    CIMS_DATA_DIR: dataDir,
    CIMS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    GRAPH_API_BASE_URL: fake.url,
    ...FAST_GRAPH_ENV,
    ...APP_ENV,
  };
  return {
    fake,
    env,
    async [Symbol.asyncDispose]() {
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Each command is a new process (the compiled server, the embedded database, migrations): allow them time on a busy machine.
const CLI_TIMEOUT = 180_000;

// Processes on an embedded data folder in either pass: the PGlite pass runs them.
describe.skipIf(postgresPass)('pnpm cims instagram:sync', () => {
  it(
    'is listed in the help, and exits 1 with a clear message when no account is connected',
    async () => {
      await using w = await cliWorld();
      const help = await cims(['help'], w.env);
      expect(help.output).toMatch(/instagram:sync +Store today's follower snapshot/);
      const nothing = await cims(['instagram:sync'], w.env);
      expect(nothing.code).toBe(1);
      expect(nothing.output).toContain('No Instagram account is connected');
      expect(nothing.output).toContain('[INSTAGRAM_NOT_CONNECTED]');
    },
    CLI_TIMEOUT,
  );

  it(
    'stores today’s snapshot; a refused token exits 1 naming the error code, without the token',
    async () => {
      await using w = await cliWorld();
      // Connect the account through the API of a server on the same (embedded) database, then stop it.
      const config = loadConfig({
        ...w.env,
        PORT: '0',
        LOG_LEVEL: 'silent',
        INSTAGRAM_SCHEDULER: 'false',
        BCRYPT_COST: '4',
      });
      const server = await startServer(config, createLogger(config));
      try {
        const ceo = createCimsClient({ baseUrl: server.url });
        await ceo.login(CEO);
        unwrap(await ceo.instagram.setup({ body: DEMO_SETUP }));
      } finally {
        await server.stop();
      }

      const demo = w.fake.graph.accounts.get(FAKE_GRAPH_DEMO.accountId);
      const synced = await cims(['instagram:sync'], w.env);
      expect(synced.output).toContain(
        `Stored the snapshot of ${days.today()} for @${FAKE_GRAPH_DEMO.username}: ${demo?.followers_count} followers`,
      );
      expect(synced.code).toBe(0);

      w.fake.graph.useScenario('expired-token');
      const refused = await cims(['instagram:sync'], w.env);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain('[INSTAGRAM_RECONNECT_REQUIRED]');
      expect(refused.output).not.toContain(FAKE_GRAPH_DEMO.token);
    },
    CLI_TIMEOUT,
  );
});
