import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegramBotApi, startFakeTelegramBotApi } from './fake-telegram.js';
import { mp3Bytes, oggOpusBytes } from './media.js';

const TOKEN = '7012345678:AAF-fake_token_for_tests';
const VOICE = 'AwACAgIAAxkBAAIBZ2cK9fVh3m1Ql0xW8dJr2aLq4nBvAAJrSAAC1Yh5S7xkD9m3c2FgNgQ';
const MUSIC = 'CQACAgIAAxkBAAICB2cMa81oP3s9Tq2wLr6Xy0vHf4GjAAJ9UQACk2tJS4nZs7Bq1kXeNgQ';

describe('startFakeTelegramBotApi', () => {
  let telegram: FakeTelegramBotApi;
  const voice = oggOpusBytes(1);
  const music = mp3Bytes(2);

  beforeAll(async () => {
    telegram = await startFakeTelegramBotApi({
      token: TOKEN,
      files: {
        [VOICE]: { bytes: voice, filePath: 'voice/file_12.oga' },
        [MUSIC]: { bytes: music, filePath: 'music/file_4.mp3' },
      },
    });
  });

  afterAll(async () => {
    await telegram?.close();
  });

  it('answers getFile with the File object and serves its bytes at the file path', async () => {
    const res = await fetch(`${telegram.url}/bot${TOKEN}/getFile?file_id=${encodeURIComponent(VOICE)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; result: Record<string, unknown> };
    expect(body.ok).toBe(true);
    expect(body.result).toMatchObject({ file_id: VOICE, file_size: voice.byteLength, file_path: 'voice/file_12.oga' });
    expect(body.result.file_unique_id).toMatch(/^AgAD[\w-]{12}$/);

    const file = await fetch(`${telegram.url}/file/bot${TOKEN}/${body.result.file_path}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('audio/ogg');
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(bytes).toEqual(voice);
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('OggS');
    expect(Buffer.from(bytes.subarray(28, 36)).toString('latin1')).toBe('OpusHead');
  });

  it('accepts getFile as a POST with a JSON or a form body', async () => {
    const json = await fetch(`${telegram.url}/bot${TOKEN}/getFile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ file_id: MUSIC }),
    });
    expect(((await json.json()) as { result: { file_path: string } }).result.file_path).toBe('music/file_4.mp3');
    const form = new FormData();
    form.set('file_id', MUSIC);
    const multipart = await fetch(`${telegram.url}/bot${TOKEN}/getFile`, { method: 'POST', body: form });
    expect(multipart.status).toBe(200);
    const download = await fetch(`${telegram.url}/file/bot${TOKEN}/music/file_4.mp3`);
    expect(download.headers.get('content-type')).toBe('audio/mpeg');
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(0, 3)
        .toString('latin1'),
    ).toBe('ID3');
  });

  it('answers an unknown file id with 400 and a wrong token with 401, as Telegram does', async () => {
    const unknown = await fetch(`${telegram.url}/bot${TOKEN}/getFile?file_id=nope`);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });

    const missing = await fetch(`${telegram.url}/bot${TOKEN}/getFile`);
    expect(missing.status).toBe(400);

    const wrongToken = await fetch(`${telegram.url}/bot123:wrong/getFile?file_id=${encodeURIComponent(VOICE)}`);
    expect(wrongToken.status).toBe(401);
    expect(await wrongToken.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });

    const wrongTokenDownload = await fetch(`${telegram.url}/file/bot123:wrong/voice/file_12.oga`);
    expect(wrongTokenDownload.status).toBe(401);

    const noSuchPath = await fetch(`${telegram.url}/file/bot${TOKEN}/voice/file_999.oga`);
    expect(noSuchPath.status).toBe(404);
  });

  it('records every request with what it asked for and what it got', async () => {
    const before = telegram.requests.length;
    await fetch(`${telegram.url}/bot${TOKEN}/getFile?file_id=nope`);
    expect(telegram.requests.slice(before)).toEqual([
      { method: 'GET', url: `/bot${TOKEN}/getFile?file_id=nope`, kind: 'getFile', fileId: 'nope', status: 400 },
    ]);
  });
});
