import { MOCK_USERS } from '@cims/mocks';
import type { TestApp } from '../harness.js';

/** The legacy client's exact login body: OAuth2 password form, e-mail as `username`. */
export function legacyLoginBody(email: string, password: string): string {
  return new URLSearchParams({
    username: email,
    password,
    grant_type: 'password',
    scope: '',
    client_id: '',
    client_secret: '',
  }).toString();
}

export async function login(t: TestApp, email: string, password: string, userAgent = 'vitest') {
  const res = await fetch(`${t.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent },
    body: legacyLoginBody(email, password),
  });
  return { res, body: (await res.json()) as Record<string, unknown> };
}

/** Signs in and returns the token pair; fails the test otherwise. */
export async function tokens(t: TestApp, email: string, password: string, userAgent?: string) {
  const { res, body } = await login(t, email, password, userAgent);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return body as { access_token: string; refresh_token: string; token_type: string; expires_in: number };
}

export function bearer(token: string, extra: Record<string, string> = {}) {
  return { authorization: `Bearer ${token}`, ...extra };
}

export async function getJson(t: TestApp, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${path}`, { headers });
  const text = await res.text();
  return { res, body: text ? JSON.parse(text) : undefined };
}

export async function sendJson(
  t: TestApp,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { res, body: text ? JSON.parse(text) : undefined };
}

/** The seeded logins, from the one list the server's seed, the mocks and the conformance suite share. */
export const CEO = { email: MOCK_USERS.ceo.email, password: MOCK_USERS.ceo.password };
export const SALES = { email: MOCK_USERS.sales1.email, password: MOCK_USERS.sales1.password };
export const SALES2 = { email: MOCK_USERS.sales2.email, password: MOCK_USERS.sales2.password };
