import type { CustomerForm } from '@cims/contracts';
import { type CimsClient, unwrap } from '@cims/sdk';
import { expect } from 'vitest';
import { SEEDED, signedIn, type World } from './suite-kit.js';

// The helpers of the CRM suites (and of the suites built on CRM data): unique names and phone numbers, signed-in
// actors, customers and users created through the SDK.

/** An id no implementation has: ids are positive 32-bit integers. */
export const UNKNOWN_ID = 2_000_000_000;

/** The business time zone both implementations default to (`BUSINESS_TIMEZONE`). */
const BUSINESS_ZONE = 'Asia/Tashkent';

let sequence = 0;
/** A string no other test (or seeded row) has: lower case letters and digits. */
export function unique(): string {
  sequence += 1;
  return `${Date.now().toString(36)}${sequence.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** A valid Uzbek mobile number, as E.164 and as a person types it without the country code. */
export function newPhone(): { e164: string; national: string } {
  const digits = String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0');
  return {
    e164: `+99890${digits}`,
    national: `(90) ${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}`,
  };
}

/** A small but well-formed MP3: an ID3v2.4 header, then MPEG-1 Layer III frame headers (128 kbit/s, 44.1 kHz). */
export function mp3Bytes(): Uint8Array<ArrayBuffer> {
  const id3 = [0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
  const frame = [0xff, 0xfb, 0x90, 0x64, ...Array(28).fill(0)];
  return new Uint8Array([...id3, ...frame, ...frame]);
}

/** A calendar day in the business time zone, `offset` days from today. */
export function businessDay(offset = 0): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: BUSINESS_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(Date.now() + offset * 86_400_000));
}

/** The `loc` of every issue of a 422 body. */
export function issueLocs(body: unknown): (string | number)[][] {
  const detail = (body as { detail?: unknown }).detail;
  return Array.isArray(detail) ? detail.map((issue: { loc: (string | number)[] }) => issue.loc) : [];
}

/** Signed-in clients of the current world, each signed in once. */
export function actors(world: () => World) {
  let current: World | undefined;
  const cache = new Map<string, Promise<CimsClient>>();
  const as = (who: { email: string; password: string }) => {
    const w = world();
    if (w !== current) {
      current = w;
      cache.clear();
    }
    let client = cache.get(who.email);
    if (!client) {
      client = signedIn(w, who);
      cache.set(who.email, client);
    }
    return client;
  };
  return {
    ceo: () => as(SEEDED.ceo),
    sales1: () => as(SEEDED.sales),
    sales2: () => as(SEEDED.sales2),
    as,
  };
}

/** What `createCustomer` sends: the customer form, with an optional recording. */
export type CustomerInput = CustomerForm & { audio?: Blob };

/** Creates a customer through the SDK with a plain object (the SDK sends it as multipart). */
export async function createCustomer(client: CimsClient, input: Partial<CustomerInput> = {}) {
  const phone = newPhone();
  const body: CustomerInput = {
    full_name: `Customer ${unique()}`,
    platform: 'telegram',
    phone_number: phone.e164,
    status: 'need_to_call',
    ...input,
  };
  const res = await client.crm.create({ body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const created = unwrap(res);
  return { ...created, full_name: String(body.full_name), phone_number: String(body.phone_number) };
}

/** A user of the given role and pages, created by the CEO (`ceo` is signed in as one), signed in. */
export async function newUser(world: World, ceo: CimsClient, { role, pages }: { role: string; pages: string[] }) {
  const who = {
    email: `${role.replace(/\s/g, '').toLowerCase()}-${unique()}@example.com`,
    password: 'crm-test-password',
  };
  const res = await ceo.ceo.createUser({ body: { ...who, name: role, role, pages } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const client = await signedIn(world, who);
  return { client, id: unwrap(res).id };
}

/** The id of the user `client` is signed in as. */
export async function meId(client: CimsClient): Promise<number> {
  return unwrap(await client.auth.me()).id;
}
