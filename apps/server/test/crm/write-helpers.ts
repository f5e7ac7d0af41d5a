import { type CimsClient, createCimsClient, unwrap } from '@cims/sdk';
import type { EntityManager } from '@mikro-orm/postgresql';
import { expect } from 'vitest';
import { asInt, query } from '../../src/db/sql.js';
import { AUDIO_FOLDER } from '../../src/modules/crm/audio.js';
import { CEO, SALES, SALES2 } from '../auth/helpers.js';
import type { TestApp } from '../harness.js';

export { CEO, SALES, SALES2 };

/** A new SDK client signed in as `who`. */
export async function signIn(t: TestApp, who: { email: string; password: string } = CEO): Promise<CimsClient> {
  const client = createCimsClient({ baseUrl: t.url });
  await client.login(who);
  return client;
}

/** Runs SQL on the app's own database (to look at rows, or to arrange what the API cannot). */
export async function sql(t: TestApp, text: string, params: unknown[] = []) {
  return query(t.server.app.context.db.orm.em.fork() as EntityManager, text, params);
}

export async function userId(t: TestApp, email: string): Promise<number> {
  const [row] = await sql(t, 'select id from app_user where email = ?', [email]);
  return asInt(row?.id);
}

let sequence = 0;
/** A string no other customer has. */
export function unique(): string {
  sequence += 1;
  return `${Date.now().toString(36)}${sequence.toString(36)}`;
}

/** A valid Uzbek mobile number, as E.164 and as typed without the country code. */
export function newPhone(): { e164: string; national: string } {
  const digits = String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0');
  return { e164: `+99890${digits}`, national: `(90) ${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}` };
}

/** A small but well-formed MP3: an ID3v2.4 header, then two MPEG-1 Layer III frame headers. */
export function mp3Bytes(): Uint8Array<ArrayBuffer> {
  const id3 = [0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
  const frame = [0xff, 0xfb, 0x90, 0x64, ...Array(28).fill(0)];
  return new Uint8Array([...id3, ...frame, ...frame]);
}

/** A 1×1 PNG. */
export const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** The form of `POST /auth/me/profile-image` with {@link PNG_BYTES} as `image`. */
export function pictureForm(): FormData {
  const form = new FormData();
  form.append('image', new Blob([PNG_BYTES], { type: 'image/png' }), 'me.png');
  return form;
}

/** The legacy client's create form (its `buildCustomerFormData`): the fields given, in their order, as a FormData. */
export function legacyForm(fields: Record<string, string | Blob | undefined>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value instanceof Blob) form.append(name, value, name === 'audio' ? 'recording.mp3' : name);
    else form.append(name, value);
  }
  return form;
}

/** Sends a form to the API as the browser would (multipart), with a token. */
export async function sendForm(t: TestApp, method: string, path: string, form: FormData, token: string) {
  const res = await fetch(`${t.url}${path}`, { method, body: form, headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { res, body: text ? JSON.parse(text) : undefined };
}

/** Creates a customer through the SDK (multipart from a plain object); fails the test otherwise. */
export async function createCustomer(client: CimsClient, input: Record<string, unknown> = {}) {
  const body = {
    full_name: `Customer ${unique()}`,
    platform: 'telegram',
    phone_number: newPhone().e164,
    status: 'need_to_call',
    ...input,
  };
  const res = await client.crm.create({ body: body as never });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return unwrap(res);
}

/** The access token the client currently holds. */
export async function tokenOf(client: CimsClient): Promise<string> {
  const token = await client.getAccessToken();
  if (!token) throw new Error('not signed in');
  return token;
}

/** The recordings stored in the blob store (the local folder or the bucket), sorted. */
export function storedRecordings(t: TestApp): Promise<string[]> {
  return t.server.app.context.blobs.list(AUDIO_FOLDER);
}

/**
 * Checks that a body holds exactly `expected`, with `Buffer.equals`: vitest's deep equality takes seconds on a few
 * hundred kilobytes on a busy machine, and while it blocks the event loop the app (in the same process) lets the
 * kept-alive connection time out, so the test's next request on it is reset (ECONNRESET).
 */
export function expectSameBytes(body: ArrayBuffer, expected: Uint8Array): void {
  const actual = Buffer.from(body);
  expect(actual.length, 'the number of bytes').toBe(expected.length);
  expect(actual.equals(expected), 'the bytes').toBe(true);
}

/** The `loc` of every issue of a 422 body. */
export function issueLocs(body: unknown): (string | number)[][] {
  const detail = (body as { detail?: unknown }).detail;
  return Array.isArray(detail) ? detail.map((issue: { loc: (string | number)[] }) => issue.loc) : [];
}
