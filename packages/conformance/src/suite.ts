import type { FakeGraphApi } from '@cims/mocks';
import { CimsApiError, type CimsClient, unwrap } from '@cims/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSafetySuite } from './account-safety-suite.js';
import { authSuite } from './auth-suite.js';
import { crmSuite } from './crm-suite.js';
import { detailSuites } from './detail-suites.js';
import { inputSuite } from './input-suite.js';
import { instagramSuite } from './instagram-suite.js';
import { optionalFieldsSuite } from './optional-fields-suite.js';
import { reportSuite } from './report-suite.js';
import { sessionLifetimeSuite } from './session-lifetime-suite.js';
import { sharedRulesSuite } from './shared-rules-suite.js';

/** One running implementation of the API with a client pointed at it. */
export interface World {
  client: CimsClient;
  /** The base URL `client` uses, for requests the SDK cannot express (unknown routes). */
  baseUrl: string;
  /** A new client with its own token store: another user, another device. */
  newClient(): CimsClient;
  /** The 6-digit code of the newest mail to `email` (the server's SMTP inbox, the mocks' mailbox). */
  latestCode(email: string): Promise<string>;
  /** The `n`-th mail (from 1) to `email`, waiting for it to arrive: its subject and code. */
  nthMail(email: string, n: number): Promise<{ subject: string; code: string }>;
  /**
   * Moves the sessions of `email` `ms` into the past (sign-in, last use and expiry alike), as if that much time had
   * passed since: how the suite reaches session deadlines without waiting for them.
   */
  ageSessions(email: string, ms: number): Promise<void>;
  /** The key the intake API (`POST /crm/api/customers`) accepts in `X-Key`, when the target configured one. */
  intakeKey?: string;
  /**
   * The target's Instagram follower tracking, when its Graph API calls go to a fake Graph API. The world starts with
   * no Instagram account connected. Without it the Instagram tests are skipped.
   */
  instagram?: {
    /** The fake the target's Graph API calls go to, in the `healthy` scenario with the demo account and token. */
    graph: FakeGraphApi;
    /**
     * Stores snapshots for the connected account directly (history the suite cannot create through the API in one
     * day); a snapshot for a day already stored replaces it. `following_count` and `media_count` default to 0.
     */
    seedSnapshots(
      points: { date: string; followers_count: number; following_count?: number; media_count?: number }[],
    ): Promise<void>;
    /** Today in the target's business time zone (`YYYY-MM-DD`). */
    today(): string;
  };
  close(): Promise<void>;
}

/** Something that can build a fresh {@link World}: the server on a database, or the mocks. */
export interface Target {
  name: string;
  createWorld(): Promise<World>;
}

/** Runs `body` with a fresh world shared by the tests of one describe block. */
export function withWorld(target: Target, title: string, body: (world: () => World) => void): void {
  describe(title, () => {
    let world: World | undefined;
    beforeAll(async () => {
      world = await target.createWorld();
    });
    afterAll(async () => {
      await world?.close();
    });
    body(() => {
      if (!world) throw new Error('world not ready');
      return world;
    });
  });
}

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
    sessionLifetimeSuite(target, withWorld);
    crmSuite(target, withWorld);
    reportSuite(target, withWorld);
    inputSuite(target, withWorld);
    instagramSuite(target, withWorld);
    sharedRulesSuite(target, withWorld);
    optionalFieldsSuite(target, withWorld);
    detailSuites(target, withWorld);
  });
}
