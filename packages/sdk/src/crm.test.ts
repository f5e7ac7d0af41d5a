import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BASE, jwt } from '../test/fake-auth-server.js';
import { createCimsClient, memoryTokenStore, unwrap } from './index.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** One request as the server saw it: headers, the raw body, and the body parsed as a form when it is one. */
interface Seen {
  authorization: string | null;
  contentType: string | null;
  xKey: string | null;
  text: string;
  form?: FormData;
}

async function see(request: Request): Promise<Seen> {
  const contentType = request.headers.get('content-type');
  const text = await request.clone().text();
  return {
    authorization: request.headers.get('authorization'),
    contentType,
    xKey: request.headers.get('x-key'),
    text,
    form: contentType?.startsWith('multipart/form-data') ? await request.formData() : undefined,
  };
}

function signedInClient() {
  const accessToken = jwt(900);
  const cims = createCimsClient({
    baseUrl: BASE,
    tokenStore: memoryTokenStore({ accessToken, refreshToken: 'rt-crm' }),
  });
  return { cims, bearer: `Bearer ${accessToken}` };
}

const created = { message: 'Customer created', id: 7, sales_manager_id: 3 };
/** The first bytes of an MP3 (an ID3v2 header, then an MPEG frame header). */
const mp3 = new Uint8Array([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90, 0x64, 0, 0]);

describe('CRM through the SDK', () => {
  it('sends a customer given as a plain object, with a File, as multipart text fields and a file part', async () => {
    const seen: Seen[] = [];
    server.use(
      http.post(`${BASE}/crm/customers`, async ({ request }) => {
        seen.push(await see(request));
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const { cims, bearer } = signedInClient();
    const audio = new File([mp3], 'call.mp3', { type: 'audio/mpeg' });
    const res = await cims.crm.create({
      body: {
        full_name: 'Ann "Annie" Lee',
        platform: 'Telegram Bot',
        phone_number: '+998 90 123 45 67',
        status: 'need_to_call',
        notes: undefined,
        audio,
      },
    });
    expect(unwrap(res)).toEqual(created);

    const [request] = seen;
    expect(request?.authorization).toBe(bearer);
    expect(request?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const form = request?.form;
    expect(form?.get('full_name')).toBe('Ann "Annie" Lee');
    expect(form?.get('platform')).toBe('Telegram Bot');
    expect(form?.get('phone_number')).toBe('+998 90 123 45 67');
    expect(form?.get('status')).toBe('need_to_call');
    // An undefined field is left out, not sent as "undefined".
    expect(form?.has('notes')).toBe(false);
    // Text fields as typed, not JSON-encoded.
    expect(request?.text).toMatch(/name="platform"\r\n\r\nTelegram Bot\r\n/);
    expect(request?.text).not.toContain('"Telegram Bot"');
    const file = form?.get('audio');
    expect(file).toBeInstanceOf(File);
    expect((file as File).name).toBe('call.mp3');
    expect((file as File).type).toBe('audio/mpeg');
    expect(new Uint8Array(await (file as File).arrayBuffer())).toEqual(mp3);
  });

  it('sends an update without a file as multipart too: booleans and empty strings as plain text', async () => {
    const seen: Seen[] = [];
    server.use(
      http.patch(`${BASE}/crm/customers/7`, async ({ request }) => {
        seen.push(await see(request));
        return HttpResponse.json({ detail: 'Customer not found', code: 'NOT_FOUND' }, { status: 404 });
      }),
    );
    const { cims } = signedInClient();
    const res = await cims.crm.patch({
      params: { id: 7 },
      body: { customer_status: 'contacted', username: '', clear_recall_time: true },
    });
    expect(res.status).toBe(404);
    const form = seen[0]?.form;
    expect(form?.get('customer_status')).toBe('contacted');
    expect(form?.get('username')).toBe('');
    expect(form?.get('clear_recall_time')).toBe('true');
    expect([...(form?.keys() ?? [])].sort()).toEqual(['clear_recall_time', 'customer_status', 'username']);
  });

  it('sends the access token to the audio route (signed-URL routes take one) and returns the recording as a Blob', async () => {
    const seen: Seen[] = [];
    server.use(
      http.get(`${BASE}/crm/customers/audio/:fileId`, async ({ request }) => {
        seen.push(await see(request));
        return new HttpResponse(mp3, {
          headers: { 'content-type': 'audio/mpeg', 'content-length': String(mp3.length), 'accept-ranges': 'bytes' },
        });
      }),
    );
    const { cims, bearer } = signedInClient();
    const res = await cims.crm.audio({ params: { file_id: 'abc-123.mp3' } });
    expect(res.status).toBe(200);
    expect(seen[0]?.authorization).toBe(bearer);
    expect(res.body).toBeInstanceOf(Blob);
    expect(new Uint8Array(await (res.body as Blob).arrayBuffer())).toEqual(mp3);
  });

  it('sends the intake key as X-Key and never an access token to the intake API', async () => {
    const seen: Seen[] = [];
    server.use(
      http.post(`${BASE}/crm/api/customers`, async ({ request }) => {
        seen.push(await see(request));
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const { cims } = signedInClient();
    const body = { full_name: 'From the bot', platform: 'telegram_bot', phone_number: '+998901234567' };
    const res = await cims.crm.intake({ body, extraHeaders: { 'x-key': 'the-intake-key' } });
    expect(res.status).toBe(201);
    expect(seen[0]).toMatchObject({ authorization: null, xKey: 'the-intake-key' });
    expect(seen[0]?.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(seen[0]?.text ?? '')).toEqual(body);
  });
});
