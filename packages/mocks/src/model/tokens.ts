/**
 * Token material for the mocks, on Web APIs only (`crypto.getRandomValues`, `btoa`, `TextEncoder`), so the same code
 * runs in Node and in a browser page, including on plain-http origins where `crypto.subtle` is missing.
 */

/** `length` random bytes. */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

/** Bytes as unpadded base64url. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const padded = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

/** An opaque random token (64 bytes, base64url), like the server's refresh tokens. */
export function randomToken(length = 64): string {
  return base64url(randomBytes(length));
}

/** A random hex id (for `jti`). */
export function randomId(): string {
  return Array.from(randomBytes(16), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A uniformly random 6-digit code (rejection sampling, so no digit is favoured). */
export function randomCode(): string {
  const limit = 4_294_000_000; // the largest multiple of 1 000 000 below 2^32
  for (;;) {
    const [value] = new Uint32Array(randomBytes(4).buffer);
    if (value !== undefined && value < limit) return String(value % 1_000_000).padStart(6, '0');
  }
}

/** The claims of a mock access token; the same set the server signs. */
export interface AccessTokenClaims {
  /** The user id, as a string (JWT `sub`). */
  sub: string;
  /** The session id. */
  sid: number;
  jti: string;
  iss: 'cims';
  aud: 'cims-api';
  /** Issued at, in seconds since the epoch. */
  iat: number;
  /** Expires at, in seconds since the epoch. */
  exp: number;
}

const HEADER = { alg: 'HS256', typ: 'at+jwt' } as const;

function encodeJson(value: unknown): string {
  return base64url(new TextEncoder().encode(JSON.stringify(value)));
}

function decodeJson(part: string): unknown {
  return JSON.parse(new TextDecoder().decode(fromBase64url(part)));
}

/**
 * A JWT-shaped access token: `base64url(header).base64url(claims).signature`. The signature is random, not an HMAC:
 * the mocks verify a token by finding it in their own state, so a client can read `exp` but cannot forge one.
 */
export function encodeAccessToken(claims: AccessTokenClaims): string {
  return `${encodeJson(HEADER)}.${encodeJson(claims)}.${randomToken(32)}`;
}

/** The claims of a JWT-shaped string, or undefined when it is not one of ours. */
export function decodeAccessToken(token: string): AccessTokenClaims | undefined {
  const [header, payload, signature, ...rest] = token.split('.');
  if (!header || !payload || !signature || rest.length > 0) return undefined;
  try {
    const head = decodeJson(header) as Partial<typeof HEADER> | null;
    const claims = decodeJson(payload) as Partial<AccessTokenClaims> | null;
    if (head?.alg !== HEADER.alg || head.typ !== HEADER.typ || !claims) return undefined;
    const { sub, sid, jti, iat, exp } = claims;
    if (typeof sub !== 'string' || typeof jti !== 'string') return undefined;
    if (![sid, iat, exp].every((n) => typeof n === 'number' && Number.isInteger(n))) return undefined;
    return claims as AccessTokenClaims;
  } catch {
    return undefined;
  }
}
