import { contract, listRoutes, routeMeta } from '@cims/contracts';
import { expect, it } from 'vitest';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';
import { accessToken, SEEDED, signedIn } from '../suite-kit.js';
import { DEMO_SETUP, instagramOf } from './kit.js';

/** Who may call the Instagram routes. */
export function instagramAccessSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'Instagram: who may call', (world) => {
    it('every Instagram route is the CEO’s: anonymous 401, a sales manager 403, the CEO in', async (context) => {
      instagramOf(world(), context);
      const routes = listRoutes(contract).filter(({ keys }) => keys[0] === 'instagram');
      expect(routes.map((r) => r.name).sort()).toEqual([
        'instagramAccount',
        'instagramDisconnect',
        'instagramGrowth',
        'instagramHistory',
        'instagramSetup',
        'instagramSync',
      ]);
      const tokens = {
        sales: await accessToken(await signedIn(world(), SEEDED.sales)),
        ceo: await accessToken(await signedIn(world(), SEEDED.ceo)),
      };
      const call = async (method: string, path: string, token?: string) => {
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        if (method === 'POST') headers['content-type'] = 'application/json';
        const res = await fetch(`${world().baseUrl}${path}`, {
          method,
          headers,
          body: method === 'POST' ? '{}' : undefined,
        });
        // Read to the end: cancelling the body of a response the mocks made never settles under MSW.
        await res.arrayBuffer();
        return res.status;
      };
      for (const { name, route } of routes) {
        expect(routeMeta(route).roles, name).toEqual(['CEO']);
        expect(await call(route.method, route.path), `${name} anonymous`).toBe(401);
        expect(await call(route.method, route.path, tokens.sales), `${name} sales manager`).toBe(403);
        expect([401, 403], `${name} CEO`).not.toContain(await call(route.method, route.path, tokens.ceo));
      }
      // Nothing reached the Graph API: the refused calls stopped before, the CEO's had no account or no valid body.
      expect(world().instagram?.graph.requests).toEqual([]);
    });

    it('through the SDK too: the sales manager gets 403 FORBIDDEN', async (context) => {
      instagramOf(world(), context);
      const sales = await signedIn(world(), SEEDED.sales);
      const res = await sales.instagram.setup({ body: DEMO_SETUP });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
      expect((await sales.instagram.account()).status).toBe(403);
    });
  });
}
