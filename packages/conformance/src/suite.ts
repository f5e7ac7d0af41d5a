import { CimsApiError, unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { accountSafetySuite } from './account-safety-suite.js';
import { adminSuite } from './admin-suite.js';
import { authSuite } from './auth-suite.js';
import { crmSuite } from './crm-suite.js';
import { detailSuites } from './detail-suites.js';
import { inputSuite } from './input-suite.js';
import { instagramFailuresSuite } from './instagram-failures-suite.js';
import { instagramSuite } from './instagram-suite.js';
import { optionalFieldsSuite } from './optional-fields-suite.js';
import { reportSuite } from './report-suite.js';
import { sessionLifetimeSuite } from './session-lifetime-suite.js';
import { sharedRulesSuite } from './shared-rules-suite.js';
import { type Target, withWorld } from './suite-kit.js';

export { type Target, type World, withWorld } from './suite-kit.js';

/**
 * The behaviour every implementation of the CIMS API must share, written against the SDK. The server (on PGlite and
 * on PostgreSQL) and the mocks each run it; a difference between them is a bug in one of them.
 */
export function conformanceSuite(target: Target): void {
  describe(`conformance: ${target.name}`, () => {
    withWorld(target, 'health', (world) => {
      it('liveness answers 200 with a version', async () => {
        const res = await world().client.health.liveness();
        expect(res.status).toBe(200);
        expect(unwrap(res)).toMatchObject({ status: 'ok', version: expect.any(String) });
      });

      it('readiness answers 200, with the checks only when verbose', async () => {
        expect(unwrap(await world().client.health.readiness())).toEqual({ status: 'ok' });
        const verbose = unwrap(await world().client.health.readiness({ query: { verbose: 'true' } }));
        expect(verbose.status).toBe('ok');
        expect(verbose.checks?.database?.status).toBe('ok');
      });
    });

    withWorld(target, 'error shapes', (world) => {
      it('an unknown route answers 404 NOT_FOUND in the error shape', async () => {
        const res = await fetch(`${world().baseUrl}/definitely/not/a/route`, {
          headers: { accept: 'application/json' },
        });
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ detail: 'Not Found', code: 'NOT_FOUND' });
      });

      it('a known path with another method answers 405 METHOD_NOT_ALLOWED', async () => {
        const res = await fetch(`${world().baseUrl}/healthz`, { method: 'DELETE' });
        expect(res.status).toBe(405);
        expect(await res.json()).toEqual({ detail: 'Method Not Allowed', code: 'METHOD_NOT_ALLOWED' });
      });

      it('a validation failure answers 422 with FastAPI-shaped detail, readable through the SDK', async () => {
        const res = await world().client.health.readiness({ query: { verbose: 'maybe' } });
        expect(res.status).toBe(422);
        expect(res.body).toEqual({
          detail: [{ loc: ['query', 'verbose'], msg: expect.any(String), type: expect.any(String) }],
          code: 'VALIDATION_FAILED',
        });
        let thrown: unknown;
        try {
          unwrap(res);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(CimsApiError);
        expect((thrown as CimsApiError).code).toBe('VALIDATION_FAILED');
        expect((thrown as CimsApiError).fieldErrors).toHaveProperty('verbose');
      });
    });

    authSuite(target, withWorld);
    accountSafetySuite(target, withWorld);
    adminSuite(target, withWorld);
    sessionLifetimeSuite(target, withWorld);
    crmSuite(target, withWorld);
    reportSuite(target, withWorld);
    inputSuite(target, withWorld);
    instagramSuite(target, withWorld);
    instagramFailuresSuite(target, withWorld);
    sharedRulesSuite(target, withWorld);
    optionalFieldsSuite(target, withWorld);
    detailSuites(target, withWorld);
  });
}
