import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestApp } from '@cims/server/testing';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function runExample(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      out += String(d);
    });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('examples/node-quickstart', () => {
  it('reports a running server as up and ready', async () => {
    await using t = await createTestApp();
    const { code, out } = await runExample({ CIMS_URL: t.url });
    expect(out).toContain(`Server ${t.url} is up`);
    expect(out).toContain('Ready for traffic: yes');
    expect(out).toMatch(/- database: ok \(\d+ ms\)/);
    expect(out).toContain('Signed in as Demo CEO <ceo@cims.local>, role CEO');
    expect(out).toContain('Refreshed by itself: still ceo@cims.local; refresh token rotated: yes');
    expect(out).toMatch(/Active sessions: 1\n {2}- #\d+ node \(this one\)/);
    expect(out).toContain('Signed out; /auth/me now answers: 401');
    expect(code).toBe(0);
  });

  it('explains a refused sign-in', async () => {
    await using t = await createTestApp();
    const { code, out } = await runExample({ CIMS_URL: t.url, CIMS_PASSWORD: 'wrong-password' });
    expect(out).toContain('The server refused: INVALID_CREDENTIALS');
    expect(code).toBe(1);
  });

  it('exits 1 with a clear message when no server answers', async () => {
    const { code, out } = await runExample({ CIMS_URL: 'http://127.0.0.1:9' });
    expect(out).toContain('Could not reach http://127.0.0.1:9');
    expect(code).toBe(1);
  });
});
