import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessTokens } from './access-tokens.js';

const key = new TextEncoder().encode('k'.repeat(32));
const tokens = new AccessTokens(key, 600);

async function forge(header: Record<string, unknown>, claims: Record<string, unknown>, signingKey = key) {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(signingKey);
}

/** Signs without jose's checks, for headers jose refuses to produce. */
function rawSigned(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
const good = () => ({ sub: '7', sid: 3, jti: 'j', iss: 'cims', aud: 'cims-api', iat: now(), exp: now() + 60 });

describe('AccessTokens', () => {
  it('verifies what it signs, and jose agrees on every claim', async () => {
    const token = await tokens.sign({ userId: 7, sessionId: 3 });
    expect(await tokens.verify(token)).toEqual({ userId: 7, sessionId: 3 });
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: 'cims',
      audience: 'cims-api',
      typ: 'at+jwt',
    });
    expect(protectedHeader).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: '7', sid: 3, exp: expect.any(Number), jti: expect.any(String) });
  });

  it('refuses every token that is not exactly ours', async () => {
    const bad = [
      await forge({ alg: 'HS256', typ: 'at+jwt' }, good(), new TextEncoder().encode('x'.repeat(32))),
      await forge({ alg: 'HS384', typ: 'at+jwt' }, good()),
      await forge({ alg: 'HS256', typ: 'JWT' }, good()),
      await forge({ alg: 'HS256' }, good()),
      await forge({ alg: 'HS256', typ: 'at+jwt' }, { ...good(), iss: 'other' }),
      await forge({ alg: 'HS256', typ: 'at+jwt' }, { ...good(), aud: 'other' }),
      await forge({ alg: 'HS256', typ: 'at+jwt' }, { ...good(), exp: now() - 31 }),
      await forge({ alg: 'HS256', typ: 'at+jwt' }, { ...good(), iat: now() + 120 }),
      await forge({ alg: 'HS256', typ: 'at+jwt' }, { ...good(), nbf: now() + 120 }),
      await forge({ alg: 'HS256', typ: 'at+jwt' }, { ...good(), jti: undefined }),
      await forge({ alg: 'HS256', typ: 'at+jwt' }, { ...good(), sid: '3' }),
      rawSigned({ alg: 'HS256', typ: 'at+jwt', crit: ['x'], x: 1 }, good()),
      `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify(good())).toString('base64url')}.`,
      'undefined',
      'a.b.c',
      'a.b.c.d',
    ];
    for (const token of bad) expect(await tokens.verify(token), token).toBeUndefined();
    // Within the 30 s clock tolerance an expired token still passes, as with jose.
    expect(await tokens.verify(await forge({ alg: 'HS256', typ: 'at+jwt' }, { ...good(), exp: now() - 10 }))).toEqual({
      userId: 7,
      sessionId: 3,
    });
  });

  it('regression: a signature with a trailing "=" was accepted: only canonical base64url passes, in every segment', async () => {
    const token = await tokens.sign({ userId: 7, sessionId: 3 });
    const [head = '', body = '', signature = ''] = token.split('.');
    // The last character of a 32-byte signature carries 2 unused bits: another character with the same upper bits
    // decodes to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1) ?? '');
    const sameBytes = `${signature.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(sameBytes, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    const variants = [
      `${token}=`,
      `${token}==`,
      `${head}.${body}.${sameBytes}`,
      `${head}.${body}.${signature.replaceAll('-', '+').replaceAll('_', '/')}`,
      `${head}=.${body}.${signature}`,
      `${head}.${body}=.${signature}`,
      `${head}.${body}.${signature.slice(0, 20)} ${signature.slice(20)}`,
    ].filter((variant) => variant !== token);
    for (const variant of variants) expect(await tokens.verify(variant), variant).toBeUndefined();
    expect(await tokens.verify(token)).toEqual({ userId: 7, sessionId: 3 });
  });
});
