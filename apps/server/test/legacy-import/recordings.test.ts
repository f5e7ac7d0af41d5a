import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeTelegramBotApi } from '@cims/legacy-fixture';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ImportReport } from '../../src/legacy-import/report.js';
import { AUDIO_FOLDER } from '../../src/modules/crm/audio.js';
import { createBlobStore } from '../../src/modules/files/create-blob-store.js';
import { startS3Server } from '../s3-server.js';
import { createImportTarget, importLegacy, legacyDatabase, legacyServerReachable } from './helpers.js';

const CLI_TIMEOUT = 240_000;
const TOKEN = '42:recordings-test-token';

/**
 * The fake Bot API behind a proxy that misbehaves as the real one can: every file's first `getFile` is a 429 with
 * `retry_after`, and one file's always fails with a 502.
 */
async function flakyBotApi(upstream: string, brokenFileId: string) {
  const asked = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const fileId = url.searchParams.get('file_id');
    if (url.pathname.endsWith('/getFile') && fileId) {
      const times = (asked.get(fileId) ?? 0) + 1;
      asked.set(fileId, times);
      if (fileId === brokenFileId) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
        return;
      }
      if (times === 1) {
        const body = {
          ok: false,
          error_code: 429,
          description: 'Too Many Requests: retry after 0',
          parameters: { retry_after: 0 },
        };
        res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        return;
      }
    }
    const answer = await fetch(`${upstream}${url.pathname}${url.search}`);
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    async [Symbol.asyncDispose]() {
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.skipIf(!(await legacyServerReachable()))('import-legacy: call recordings', () => {
  it(
    'waits when Telegram asks, retries failures, and reports what it could not fetch with its file id',
    async () => {
      await using legacy = await legacyDatabase({ caseDuplicates: false, undecryptable: false, corrupt: false });
      await using bot = await startFakeTelegramBotApi({ token: TOKEN, files: legacy.facts.audioFiles });
      const fileIds = Object.keys(legacy.facts.audioFiles);
      const broken = fileIds[0] ?? '';
      await using proxy = await flakyBotApi(bot.url, broken);
      await using target = await createImportTarget();
      const reportFile = path.join(tmpdir(), `cims-recordings-${process.pid}-${Date.now()}.json`);
      const run = await importLegacy(legacy, target, ['--report', reportFile], {
        TELEGRAM_AUDIO_BOT_TOKEN: TOKEN,
        TELEGRAM_API_BASE_URL: proxy.url,
      });
      expect(run.code, run.output).toBe(0);
      const written = readFileSync(reportFile, 'utf8');
      rmSync(reportFile, { force: true });
      const report = JSON.parse(written) as ImportReport;
      const recordings = report.files.recordings;
      expect(recordings.imported).toBe(fileIds.length - 1);
      // Each file was asked for again after its 429; the broken one three times, then reported.
      for (const id of fileIds) expect(proxy.asked.get(id), id).toBe(id === broken ? 3 : 2);
      const owner = legacy.facts.customers.find((c) => c.audioFileId === broken);
      expect(recordings.missing).toEqual([
        {
          table: 'customer',
          id: String(owner?.id),
          reason: `Telegram file ${broken}: getFile: HTTP 502 (3 attempts)`,
        },
      ]);
      // The bot token appears nowhere in what the import printed or wrote.
      expect(run.output).not.toContain(TOKEN);
      expect(written).not.toContain(TOKEN);
    },
    CLI_TIMEOUT,
  );

  it(
    'stores the recordings in the S3 bucket when S3_BUCKET is set, and nothing in the data folder',
    async () => {
      await using legacy = await legacyDatabase({ caseDuplicates: false, undecryptable: false, corrupt: false });
      await using bot = await startFakeTelegramBotApi({ token: TOKEN, files: legacy.facts.audioFiles });
      await using s3 = await startS3Server();
      await using target = await createImportTarget();
      const run = await importLegacy(legacy, target, [], {
        TELEGRAM_AUDIO_BOT_TOKEN: TOKEN,
        TELEGRAM_API_BASE_URL: bot.url,
        ...s3.env,
      });
      expect(run.code, run.output).toBe(0);
      expect(target.blobFiles()).toEqual([]);
      // What the server on that bucket reads: every legacy recording, byte for byte.
      const blobs = createBlobStore(loadConfig({ ...target.env, ...s3.env }));
      const names = await blobs.list(AUDIO_FOLDER);
      const stored: string[] = [];
      for (const name of names) {
        const file = await blobs.open(AUDIO_FOLDER, name);
        if (!file) throw new Error(`${name} is listed but cannot be opened`);
        const chunks: Buffer[] = [];
        for await (const chunk of file.read()) chunks.push(chunk as Buffer);
        stored.push(Buffer.concat(chunks).toString('base64'));
      }
      blobs.close?.();
      const expected = Object.values(legacy.facts.audioFiles).map((file) => Buffer.from(file.bytes).toString('base64'));
      expect(stored.sort()).toEqual(expected.sort());
    },
    CLI_TIMEOUT,
  );
});
