import { describe, expect, it } from 'vitest';
import { clientKey, MAX_KEY_LENGTH, ruleOf, storedKey } from './rate-limit.js';

describe('storedKey', () => {
  it('keeps short keys as they are', () => {
    expect(storedKey('login-failed:a@b.c:10.0.0.1')).toBe('login-failed:a@b.c:10.0.0.1');
  });

  it('shortens long keys to at most MAX_KEY_LENGTH, distinct for keys that differ only at the end', () => {
    const long = `login-failed:${'x'.repeat(300)}`;
    const a = storedKey(`${long}:2001:db8::1`);
    const b = storedKey(`${long}:2001:db8::2`);
    expect(a.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(a).not.toBe(b);
    expect(a.startsWith('login-failed:xxx')).toBe(true);
    expect(storedKey(`${long}:2001:db8::1`)).toBe(a);
  });
});

describe('clientKey', () => {
  it('counts an IPv6 address as its /64, whatever its spelling', () => {
    expect(clientKey('2001:0db8:85a3:0000:0000:8a2e:0370:7334')).toBe('2001:db8:85a3:0::/64');
    expect(clientKey('2001:db8:85a3::1')).toBe('2001:db8:85a3:0::/64');
    expect(clientKey('2001:db8:85a3:0:ffff:ffff:ffff:ffff')).toBe('2001:db8:85a3:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('2001:db8:85a3:1::1')).not.toBe(clientKey('2001:db8:85a3::1'));
  });

  it('keeps IPv4, also when mapped into IPv6', () => {
    expect(clientKey('10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey('::ffff:a01:203')).toBe('10.1.2.3');
    expect(clientKey(undefined)).toBe('unknown');
  });
});

describe('ruleOf', () => {
  it('names the rule of a key without the address or account in it (bounded metric labels)', () => {
    expect(ruleOf('ip:login:2001:db8::/64')).toBe('ip:login');
    expect(ruleOf('login-failed:a@b.c:10.0.0.1')).toBe('login-failed');
    expect(ruleOf('login-failed:a@b.c')).toBe('login-failed');
    expect(ruleOf('send:a@b.c')).toBe('send');
    expect(ruleOf('password-change-failed:42')).toBe('password-change-failed');
  });
});
