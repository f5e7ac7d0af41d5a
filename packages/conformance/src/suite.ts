import { CimsApiError, unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { accountSafetySuite } from './account-safety-suite.js';
import { administrationSuite } from './administration-suite.js';
import { authExtraSuite } from './auth-extra-suite.js';
import { authSuite } from './auth-suite.js';
import { crmExtraSuite } from './crm-extra-suite.js';
import { crmSuite } from './crm-suite.js';
import { inputSuite } from './input-suite.js';
import { instagramFailuresSuite } from './instagram-failures-suite.js';
import { instagramSuite } from './instagram-suite.js';
import { optionalFieldsSuite } from './optional-fields-suite.js';
import { profileSuite } from './profile-suite.js';
import { reportSuite } from './report-suite.js';
import { sessionLifetimeSuite } from './session-lifetime-suite.js';
import { sharedRulesSuite } from './shared-rules-suite.js';
import { type Target, withWorld } from './suite-kit.js';

export { type Target, type World, withWorld } from './suite-kit.js';

type PartSuite = (target: Target, with_: typeof withWorld) => void;

/**
 * The suite in parts by domain, so that a target can run each part in a file of its own and the test workers share
 * them (a file runs on one worker). Each part builds about a dozen worlds; together they are the whole suite.
 */
const PARTS = {
  /** Health, error shapes, sign-in, registration, account safety, sessions, the profile. */
  accounts: [basicsSuite, authSuite, accountSafetySuite, sessionLifetimeSuite, authExtraSuite, profileSuite],
  /** Users, pages and roles, Instagram (its Graph failures included), the wording both sides share. */
  administration: [administrationSuite, instagramSuite, instagramFailuresSuite, sharedRulesSuite],
  /** The CRM of docs/crm.md. */
  crm: [crmSuite],
  /** The CRM in detail (recordings), the period report, input bounds, optional fields on every route. */
  'crm-detail': [crmExtraSuite, reportSuite, inputSuite, optionalFieldsSuite],
} satisfies Record<string, PartSuite[]>;

/** A part of the suite: {@link conformanceSuite} runs the given ones, or all of them. */
export type ConformancePart = keyof typeof PARTS;

/** Every part, in the suite's order. */
export const CONFORMANCE_PARTS = Object.keys(PARTS) as ConformancePart[];

/**
 * The behaviour every implementation of the CIMS API must share, written against the SDK. The server (on PGlite and
 * on PostgreSQL) and the mocks each run it; a difference between them is a bug in one of them.
 */
export function conformanceSuite(target: Target, parts: ConformancePart[] = CONFORMANCE_PARTS): void {
  describe(`conformance: ${target.name}`, () => {
    for (const part of parts) for (const suite of PARTS[part]) suite(target, withWorld);
  });
}

/** Liveness, readiness and the error shapes every route shares. */
function basicsSuite(target: Target): void {
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
}
