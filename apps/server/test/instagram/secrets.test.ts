import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeGraphApi } from '@cims/mocks/node';
import { createCimsClient, unwrap } from '@cims/sdk';
import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { keyIdOf } from '../../src/crypto/token-cipher.js';
import { query } from '../../src/db/sql.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/runtime.js';
import { CEO } from '../auth/helpers.js';
import { APP_ENV, DEMO_SETUP, FAKE_GRAPH_DEMO, FAST_GRAPH_ENV, instagramWorld, sql } from './helpers.js';

describe('the access token at rest and in logs', () => {
  it('is stored encrypted (AES-256-GCM, with its key id), never returned, never logged', async () => {
    await using w = await instagramWorld({ env: { LOG_LEVEL: 'debug' } });
    const setup = await w.ceo.instagram.setup({ body: DEMO_SETUP });
    expect(setup.status).toBe(200);
    expect((await w.ceo.instagram.sync()).status).toBe(200);
    // Failures too: an expired token, a Graph message that quotes the token, an unreachable Graph API.
    w.fake.graph.useScenario('expired-token');
    expect((await w.ceo.instagram.sync()).status).toBe(409);
    w.fake.graph.useScenario('healthy');
    w.fake.graph.failNext({ status: 400, code: 100, message: `Malformed access token ${FAKE_GRAPH_DEMO.token}` });
    const quoted = await w.ceo.instagram.sync();
    expect(quoted.status).toBe(502);
    expect((quoted.body as { graph_error: { message: string } }).graph_error.message).toBe(
      'Malformed access token ***',
    );

    const [row] = await sql(w.t, 'select row_to_json(a)::text as text, token_key_id from instagram_account a');
    const stored = String(row?.text);
    expect(stored).not.toContain(FAKE_GRAPH_DEMO.token);
    expect(stored).not.toContain(Buffer.from(FAKE_GRAPH_DEMO.token).toString('base64'));
    expect(stored).toMatch(/"token_ciphertext":"[\w-]+"/);
    expect(row?.token_key_id).toMatch(/^[0-9a-f]{16}$/);
    const audit = await sql(w.t, 'select data::text as data from audit_log');
    expect(JSON.stringify(audit)).not.toContain(FAKE_GRAPH_DEMO.token);

    for (const text of [
      JSON.stringify(setup.body),
      JSON.stringify(quoted.body),
      JSON.stringify(await w.ceo.instagram.account()),
    ]) {
      expect(text).not.toContain(FAKE_GRAPH_DEMO.token);
    }
    const logs = w.t.logText();
    // The Graph API calls are logged (at debug) with their secrets redacted…
    expect(logs).toContain('access_token=***');
    expect(logs).toContain('appsecret_proof=***');
    expect(logs).toContain('input_token=***');
    // …and neither the token nor the app secret ever appears.
    expect(logs).not.toContain(FAKE_GRAPH_DEMO.token);
    expect(logs).not.toContain(APP_ENV.META_APP_SECRET);
  });
});

describe('key rotation', () => {
  it('an older key in CIMS_ENCRYPTION_KEYS_PREVIOUS still decrypts; the token is sealed again with the new key', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cims-test-keys-'));
    const fake = await startFakeGraphApi();
    const [k1, k2, k3] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    // One database (on disk), opened by one server after another, each with other keys.
    const start = async (env: Record<string, string>) => {
      const config = loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        LOG_LEVEL: 'silent',
        BCRYPT_COST: '4',
        CIMS_DATA_DIR: dataDir,
        INSTAGRAM_SCHEDULER: 'false',
        GRAPH_API_BASE_URL: fake.url,
        ...FAST_GRAPH_ENV,
        ...APP_ENV,
        ...env,
      });
      const server = await startServer(config, createLogger(config));
      const client = createCimsClient({ baseUrl: server.url });
      await client.login(CEO);
      const keyId = async () => {
        const em = server.app.context.db.orm.em.fork() as EntityManager;
        const [row] = await query(em, 'select token_key_id from instagram_account');
        return row?.token_key_id;
      };
      return { server, client, keyId };
    };
    try {
      const first = await start({ CIMS_ENCRYPTION_KEY: k1.toString('base64') });
      unwrap(await first.client.instagram.setup({ body: DEMO_SETUP }));
      expect(await first.keyId()).toBe(keyIdOf(k1));
      await first.server.stop();

      // The new key (hex this time) with the old one as previous: reads work, and the next write re-seals.
      const second = await start({
        CIMS_ENCRYPTION_KEY: k2.toString('hex'),
        CIMS_ENCRYPTION_KEYS_PREVIOUS: `${randomBytes(32).toString('base64url')}, ${k1.toString('base64')}`,
      });
      expect(await second.keyId()).toBe(keyIdOf(k1));
      expect((await second.client.instagram.sync()).status).toBe(200);
      expect(await second.keyId()).toBe(keyIdOf(k2));
      await second.server.stop();

      // The old key can now be dropped.
      const third = await start({ CIMS_ENCRYPTION_KEY: k2.toString('base64') });
      expect((await third.client.instagram.sync()).status).toBe(200);
      await third.server.stop();

      // A key that never sealed it cannot open it: the account needs a reconnect.
      const fourth = await start({ CIMS_ENCRYPTION_KEY: k3.toString('base64') });
      const res = await fourth.client.instagram.sync();
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'INSTAGRAM_RECONNECT_REQUIRED' });
      expect((res.body as { detail: string }).detail).toContain('CIMS_ENCRYPTION_KEY');
      expect(unwrap(await fourth.client.instagram.account()).account?.reconnect_required).toBe(true);
      // Setting it up again seals the token with the current key.
      unwrap(await fourth.client.instagram.setup({ body: DEMO_SETUP }));
      expect((await fourth.client.instagram.sync()).status).toBe(200);
      expect(await fourth.keyId()).toBe(keyIdOf(k3));
      await fourth.server.stop();
    } finally {
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
