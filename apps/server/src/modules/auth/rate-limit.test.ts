import { describe, expect, it } from 'vitest';
import { MAX_KEY_LENGTH, storedKey } from './rate-limit.js';

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
