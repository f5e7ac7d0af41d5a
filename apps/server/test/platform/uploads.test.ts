import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CEO, mp3Bytes, newPhone, SALES, signIn, storedRecordings, tokenOf } from '../crm/write-helpers.js';
import { createTestApp, type TestApp } from '../harness.js';

/**
 * An upload sent by hand, so the test decides when each part of the body goes out: the text fields and the head of
 * the file first, the rest (or nothing, or an abort) later.
 */
interface OpenUpload {
  req: ClientRequest;
  /** The response, whenever the server answers (before the body is complete, for a refused file). */
  response: Promise<{ status: number; headers: IncomingMessage['headers']; body: Record<string, unknown> }>;
  /** Sends more of the file. */
  write(bytes: Uint8Array): Promise<void>;
  /** Sends the end of the multipart body. */
  end(): void;
}

function openUpload(
  t: TestApp,
  options: { method: string; path: string; token: string; fields: Record<string, string>; file: string; type: string },
  head: Uint8Array,
): OpenUpload {
  const boundary = `----cims${randomBytes(8).toString('hex')}`;
  const fields = Object.entries(options.fields)
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  const fileHeader =
    `--${boundary}\r\nContent-Disposition: form-data; name="${options.file}"; filename="upload.bin"\r\n` +
    `Content-Type: ${options.type}\r\n\r\n`;
  const url = new URL(options.path, t.url);
  const req = request(url, {
    method: options.method,
    headers: { authorization: `Bearer ${options.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  req.on('error', () => {
    // An aborted upload: the test looks at the server's side.
  });
  const response = new Promise<{ status: number; headers: IncomingMessage['headers']; body: Record<string, unknown> }>(
    (resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += String(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
        res.on('error', reject);
      });
    },
  );
  req.write(fields + fileHeader);
  req.write(head);
  return {
    req,
    response,
    write: (bytes) =>
      new Promise((resolve, reject) => req.write(bytes, (error) => (error ? reject(error) : resolve()))),
    end: () => req.end(`\r\n--${boundary}--\r\n`),
  };
}

const customerFields = () => ({
  full_name: 'Upload Test',
  platform: 'telegram',
  phone_number: newPhone().e164,
  status: 'need_to_call',
});

/** Starts creating a customer with a call recording (an MP3), to be written and ended by the test. */
function openRecording(t: TestApp, token: string) {
  return openUpload(
    t,
    { method: 'POST', path: '/crm/customers', token, fields: customerFields(), file: 'audio', type: 'audio/mpeg' },
    mp3Bytes(),
  );
}

/** Sends a "picture" that is PHP source: the server must refuse it by its bytes (`400 INVALID_FILE`). */
function postFakePicture(t: TestApp, token: string): Promise<Response> {
  const form = new FormData();
  form.append('image', new Blob(['<?php evil(); ?>'], { type: 'image/png' }), 'a.png');
  return fetch(`${t.url}/auth/me/profile-image`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

/** The temporary uploads of the app (`UPLOAD_TEMP_DIR`). */
function temporaryUploads(t: TestApp): { name: string; size: number }[] {
  const dir = t.config.uploads.tempDir;
  try {
    return readdirSync(dir).map((name) => ({ name, size: statSync(path.join(dir, name)).size }));
  } catch {
    return [];
  }
}

/** Waits (without a clock: the test's timeout is the limit) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

const MB = 1024 * 1024;

/**
 * Holds the opening of temporary upload files while `held` is set: the test decides whether a file is created only
 * after its request has been answered, as on a busy disk.
 */
const openGate = vi.hoisted(() => ({ held: undefined as Promise<void> | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const open = ((...args: Parameters<typeof fs.open>) => {
    const held = openGate.held;
    if (held) void held.then(() => fs.open(...args));
    else fs.open(...args);
  }) as typeof fs.open;
  const createWriteStream = ((file: string, options?: object) =>
    fs.createWriteStream(file, {
      ...options,
      fs: { open, write: fs.write, writev: fs.writev, close: fs.close },
    })) as typeof fs.createWriteStream;
  return { ...fs, default: { ...fs, createWriteStream }, createWriteStream };
});

describe('uploads are streamed to disk, checked on their first bytes, bounded per user', () => {
  it('regression: an upload is written to a temporary file as it arrives, not buffered in memory', async () => {
    await using t = await createTestApp();
    const token = await tokenOf(await signIn(t, SALES));
    const upload = openRecording(t, token);
    // Half of a recording sent: it is on disk already (memory storage would show nothing until the end).
    await upload.write(new Uint8Array(4 * MB));
    await until(() => temporaryUploads(t).some((file) => file.size >= 4 * MB));
    await upload.write(new Uint8Array(4 * MB));
    upload.end();
    const res = await upload.response;
    expect(res.status).toBe(201);
    // The recording was stored whole, from the temporary file, and the temporary file is gone.
    const [stored] = await storedRecordings(t);
    expect(stored).toMatch(/\.mp3$/);
    const file = await t.server.app.context.blobs.open('customer-audio', stored as string);
    await file?.close();
    expect(file?.size).toBe(mp3Bytes().length + 8 * MB);
    await until(() => temporaryUploads(t).length === 0);
  });

  it('regression: a file of the wrong type is refused on its first bytes, before the rest of the body is sent', async () => {
    await using t = await createTestApp();
    const token = await tokenOf(await signIn(t, SALES));
    const notAudio = openUpload(
      t,
      { method: 'POST', path: '/crm/customers', token, fields: customerFields(), file: 'audio', type: 'audio/mpeg' },
      new TextEncoder().encode('MZ this is a program, not a recording'.padEnd(64 * 1024, '.')),
    );
    // The body is not finished: the answer comes from the first bytes alone.
    const refused = await notAudio.response;
    expect(refused.status).toBe(415);
    expect(refused.body).toEqual({
      detail: 'The recording must be MP3, OGG/Opus, WAV, M4A/AAC, FLAC or WebM',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    notAudio.req.destroy();

    const notPicture = openUpload(
      t,
      { method: 'POST', path: '/auth/me/profile-image', token, fields: {}, file: 'image', type: 'image/png' },
      new TextEncoder().encode('<?php evil(); ?>'.padEnd(64 * 1024, ' ')),
    );
    const refusedPicture = await notPicture.response;
    expect(refusedPicture.status).toBe(400);
    expect(refusedPicture.body.code).toBe('INVALID_FILE');
    notPicture.req.destroy();

    expect(await storedRecordings(t)).toEqual([]);
    await until(() => temporaryUploads(t).length === 0);
  });

  it('regression: a small refused file sent whole is answered with its own code, never MALFORMED_BODY', async () => {
    // The refusal tears down the part's stream, which makes busboy fail as well; when the whole body had already
    // arrived, that error could reach the client first (400 MALFORMED_BODY instead of INVALID_FILE).
    await using t = await createTestApp();
    const token = await tokenOf(await signIn(t, SALES));
    for (let round = 0; round < 20; round++) {
      const res = await postFakePicture(t, token);
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe('INVALID_FILE');
    }
  });

  it('a client that keeps sending after its file was refused is cut off after another whole file', async () => {
    await using t = await createTestApp();
    const token = await tokenOf(await signIn(t, SALES));
    const refused = openUpload(
      t,
      { method: 'POST', path: '/auth/me/profile-image', token, fields: {}, file: 'image', type: 'image/png' },
      new TextEncoder().encode('not a picture'.padEnd(64 * 1024, ' ')),
    );
    expect((await refused.response).status).toBe(400);
    // A write to a connection the server closed may never call back: the close (or error) ends the wait instead.
    const closed = new Promise<'cut'>((resolve) => {
      refused.req.once('close', () => resolve('cut'));
      refused.req.once('error', () => resolve('cut'));
    });
    // The picture limit is 5 MB: the server reads that much more away, then closes the connection.
    let outcome: 'cut' | 'written' = 'written';
    for (let sent = 0; sent < 40 && outcome === 'written'; sent++) {
      const written = refused.write(new Uint8Array(MB)).then(
        () => 'written' as const,
        () => 'cut' as const,
      );
      outcome = await Promise.race([written, closed]);
    }
    expect(outcome).toBe('cut');
  });

  it('removes the temporary file when the client goes away mid-upload', async () => {
    await using t = await createTestApp();
    const token = await tokenOf(await signIn(t, SALES));
    const upload = openRecording(t, token);
    await upload.write(new Uint8Array(MB));
    await until(() => temporaryUploads(t).some((file) => file.size >= MB));
    upload.req.destroy();
    await until(() => temporaryUploads(t).length === 0);
    expect(await storedRecordings(t)).toEqual([]);
    // The aborted upload gave its slot back: the next one goes through.
    const next = openRecording(t, token);
    next.end();
    expect((await next.response).status).toBe(201);
  });

  it('regression: refused and aborted uploads leave no temporary file behind', async () => {
    // A file refused on its first chunk (or a client gone at once) could be answered, and its response closed, before
    // the temporary file's asynchronous open had finished: the clean-up found nothing, the file appeared afterwards
    // and stayed forever.
    await using t = await createTestApp({ env: { UPLOAD_MAX_CONCURRENT: '100' } });
    const token = await tokenOf(await signIn(t, SALES));
    let release = () => {};
    openGate.held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const refused = Array.from({ length: 5 }, async () => {
      const res = await postFakePicture(t, token);
      expect(res.status).toBe(400);
      await res.arrayBuffer();
    });
    const aborted = Array.from({ length: 5 }, async () => {
      const upload = openRecording(t, token);
      await upload.write(new Uint8Array(64 * 1024));
      upload.req.destroy();
      const closed = new Promise((resolve) => upload.req.once('close', resolve));
      await closed;
    });
    await Promise.all(refused);
    await Promise.all(aborted);
    // Every request is answered or gone; only now are their temporary files created.
    release();
    openGate.held = undefined;
    /** Looks at the folder a bounded number of times until it is empty. */
    const emptied = async () => {
      for (let looks = 0; looks < 200 && temporaryUploads(t).length > 0; looks++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return temporaryUploads(t);
    };
    expect(await emptied()).toEqual([]);
    // A file whose open was still queued would appear only now: one more upload, whose own file is opened after
    // those, is answered and cleaned up, and then nothing is left either.
    const next = openRecording(t, token);
    next.end();
    expect((await next.response).status).toBe(201);
    expect(await emptied()).toEqual([]);
  });

  it('regression: concurrent uploads of one user are bounded: 429 with Retry-After; others are not held up', async () => {
    await using t = await createTestApp({ env: { UPLOAD_MAX_CONCURRENT: '1' } });
    const sales = await tokenOf(await signIn(t, SALES));
    const ceo = await tokenOf(await signIn(t, CEO));
    const first = openRecording(t, sales);
    await until(() => temporaryUploads(t).length === 1);

    const second = openRecording(t, sales);
    second.end();
    const refused = await second.response;
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body).toEqual({
      detail: 'Too many uploads at once (at most 1 per user); wait for one to finish and try again',
      code: 'RATE_LIMITED',
    });

    // Another user uploads while the first upload is still open.
    const other = openRecording(t, ceo);
    other.end();
    expect((await other.response).status).toBe(201);

    first.end();
    expect((await first.response).status).toBe(201);
    const again = openRecording(t, sales);
    again.end();
    expect((await again.response).status).toBe(201);
  });

  it('regression (multipart creates without a file were refused as uploads): a form without a file takes no upload slot', async () => {
    await using t = await createTestApp({ env: { UPLOAD_MAX_CONCURRENT: '1' } });
    const sales = await tokenOf(await signIn(t, SALES));
    const upload = openRecording(t, sales);
    await until(() => temporaryUploads(t).length === 1);
    // The user's one upload slot is taken; forms without a file still go through, several at once.
    const plain = await Promise.all(
      Array.from({ length: 3 }, () => {
        const form = new FormData();
        for (const [name, value] of Object.entries(customerFields())) form.append(name, value);
        return fetch(`${t.url}/crm/customers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${sales}` },
          body: form,
        });
      }),
    );
    for (const res of plain) expect(res.status, await res.text()).toBe(201);
    upload.end();
    expect((await upload.response).status).toBe(201);
  });
});
