import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { ceoOf, DEMO_SETUP, instagramOf } from './instagram/kit.js';
import type { Target, withWorld as WithWorld } from './suite-kit.js';

/** `X-Business-Use-Case-Usage` saying the account is back in five minutes: longer than anyone waits in a request. */
const BACK_IN_FIVE_MINUTES = {
  'X-Business-Use-Case-Usage': JSON.stringify({
    '17841400000000001': [{ type: 'instagram', call_count: 100, estimated_time_to_regain_access: 5 }],
  }),
};

/**
 * How a failed Graph API call is sorted (the contract's `graphFailureKind`), seen through the API: both sides apply
 * the one rule, and these pin the cases where their own copies had drifted apart.
 */
export function instagramFailuresSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'Instagram: sorting Graph failures', (world) => {
    const ceo = ceoOf(world);

    it.for([80_001, 80_002, 80_014])(
      'regression: Business Use Case throttling (code %i), not only Instagram’s 80002, is a 503 with Retry-After',
      async (code, context) => {
        const instagram = instagramOf(world(), context);
        const client = await ceo();
        unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
        instagram.graph.failNext({ status: 403, code, headers: BACK_IN_FIVE_MINUTES });
        const res = await client.instagram.sync();
        expect(res).toMatchObject({
          status: 503,
          body: { code: 'UPSTREAM_RATE_LIMITED', retry_after_seconds: 300, graph_error: { code } },
        });
        expect(res.headers.get('retry-after')).toBe('300');
      },
    );

    it('regression: code 100 over HTTP 500 at setup is Meta’s trouble (502 after every attempt), not a refused id', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const before = await client.instagram.account();
      // Both sides try a transient failure four times in all (the server's default GRAPH_API_MAX_ATTEMPTS).
      instagram.graph.failNext({ status: 500, code: 100, type: 'GraphMethodException' }, 4);
      const res = await client.instagram.setup({ body: DEMO_SETUP });
      expect(res).toMatchObject({ status: 502, body: { code: 'UPSTREAM_UNAVAILABLE', graph_error: { code: 100 } } });
      expect((res.body as { detail: string }).detail).toMatch(
        /^The Graph API answered HTTP 500 with error 100: .* \(4 attempts\)$/,
      );
      expect((await client.instagram.account()).body).toEqual(before.body);
    });
  });
}
