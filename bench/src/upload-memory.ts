/**
 * How much resident memory parallel uploads cost the server. Starts the built server (`pnpm start`'s bundle) on an
 * embedded database in a temporary folder, signs in as a demo sales manager, sends one upload to warm up, then
 * `BENCH_UPLOADS` (10) recordings of `BENCH_UPLOAD_MB` (24) MB at once, as one user, and samples the server's RSS
 * (`/proc/<pid>/status`) every 10 ms. Prints the RSS before the batch, the peak during it and the difference; with
 * `--check`, exits 1 when the difference reaches 100 MB (issue 15's target).
 *
 * The server runs with `UPLOAD_MAX_CONCURRENT` equal to the number of uploads, so every upload is received (with the
 * default of 3, the others would be answered 429 at once and cost nothing).
 *
 *   pnpm --filter @cims/server build && pnpm --filter @cims/bench bench:upload-memory
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const uploads = Number(process.env.BENCH_UPLOADS ?? 10);
const megabytes = Number(process.env.BENCH_UPLOAD_MB ?? 24);
const check = process.argv.includes('--check');
const TARGET_MB = 100;

const serverDir = fileURLToPath(new URL('../../apps/server', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'cims-bench-upload-'));

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** A recording of `mb` megabytes: an MP3 header (so it is accepted), then silence. */
function recording(mb: number): Blob {
  const bytes = new Uint8Array(mb * 1024 * 1024);
  bytes.set([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfb, 0x90, 0x64]);
  return new Blob([bytes], { type: 'audio/mpeg' });
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: serverDir,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: '',
      CIMS_DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'warn',
      UPLOAD_MAX_CONCURRENT: String(uploads),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk) => {
        out += String(chunk);
        const match = /CIMS server ready at (http:\/\/\S+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`The server exited (${code}) before it was ready:\n${out}`)));
    });
    const pid = child.pid as number;
    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'sales1@cims.local', password: 'sales-demo-password' }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const file = recording(megabytes);
    // Phone numbers no demo customer has: a random block of this run.
    let sequence = 1_000_000 + Math.floor(Math.random() * 8_000_000);
    const upload = async () => {
      sequence += 1;
      const form = new FormData();
      form.append('full_name', `Upload ${sequence}`);
      form.append('platform', 'telegram');
      form.append('phone_number', `+99890${sequence}`);
      form.append('status', 'need_to_call');
      form.append('audio', file, 'call.mp3');
      const res = await fetch(`${url}/crm/customers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      await res.arrayBuffer();
      return res.status;
    };

    // One upload first: code paths and buffers that are loaded once are not what the batch costs.
    const warm = await upload();
    if (warm !== 201) throw new Error(`The warm-up upload answered ${warm}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(pid));
    }, 10);
    const statuses = await Promise.all(Array.from({ length: uploads }, upload));
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(pid));
    const increase = peak - before;
    const created = statuses.filter((status) => status === 201).length;
    console.log(
      [
        `uploads:        ${uploads} × ${megabytes} MB at once by one sales manager (${created} created, statuses ${[...new Set(statuses)].join(', ')})`,
        `RSS before:     ${before.toFixed(0)} MB`,
        `RSS peak:       ${peak.toFixed(0)} MB`,
        `increase:       ${increase.toFixed(0)} MB (target < ${TARGET_MB} MB)${increase < TARGET_MB ? '' : '  MISSED'}`,
      ].join('\n'),
    );
    if (created !== uploads) throw new Error('Not every upload was created');
    if (check && increase >= TARGET_MB) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
