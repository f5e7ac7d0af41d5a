import { describe, expect, it } from 'vitest';
import { LoginFormSchema } from './auth.schemas.js';

const credentials = { username: 'ceo@example.com', password: 'secret-password' };

describe('LoginFormSchema', () => {
  it('reads grant_type as `password` when it is left out or empty, as the legacy client sends it', () => {
    expect(LoginFormSchema.parse(credentials).grant_type).toBe('password');
    expect(LoginFormSchema.parse({ ...credentials, grant_type: '' }).grant_type).toBe('password');
    expect(LoginFormSchema.parse({ ...credentials, grant_type: 'password' }).grant_type).toBe('password');
  });

  it('refuses any other grant_type, such as the `string` an API explorer pre-fills for a free string', () => {
    const result = LoginFormSchema.safeParse({ ...credentials, grant_type: 'string' });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['grant_type'], message: 'grant_type must be "password"' }),
    ]);
  });
});
