import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCimsClient } from '@cims/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('secrets mounted as files', () => {
  it('are used by the server and never reach its logs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cims-secrets-'));
    dirs.push(dir);
    const intakeKey = 'intake-key-from-a-mounted-file-0123';
    const jwtSecret = 'jwt-secret-from-a-mounted-file-0123456789';
    writeFileSync(path.join(dir, 'intake'), `${intakeKey}\n`);
    writeFileSync(path.join(dir, 'jwt'), `${jwtSecret}\n`);
    await using t = await createTestApp({
      env: { CRM_CUSTOMER_API_KEY_FILE: path.join(dir, 'intake'), JWT_SECRET_FILE: path.join(dir, 'jwt') },
    });
    const client = createCimsClient({ baseUrl: t.url });
    const body = { full_name: 'Filed Key', platform: 'Website', phone_number: '+998901234567' };
    // The key from the file opens the intake, without the file's line break.
    const accepted = await client.crm.intake({ body, extraHeaders: { 'x-key': intakeKey } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    const login = await client.auth.login({ body: { username: 'ceo@cims.local', password: 'ceo-demo-password' } });
    expect(login.status).toBe(200);
    const text = t.logText();
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(intakeKey);
    expect(text).not.toContain(jwtSecret);
  });
});
