import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('censors passwords and tokens wherever a handler logs them', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    const logger = createLogger({ logLevel: 'info' }, sink);
    logger.info({ body: { email: 'a@b.c', password: 'pw-1', refresh_token: 'rt-2', access_token: 'at-3' } }, 'login');
    logger.info({ req: { headers: { authorization: 'Bearer at-4', 'x-key': 'key-5' } } }, 'request');
    for (const secret of ['pw-1', 'rt-2', 'at-3', 'at-4', 'key-5']) expect(out).not.toContain(secret);
    expect(out).toContain('a@b.c');
  });
});
