import { contract } from '@cims/contracts';
import type { AppRouter } from '@ts-rest/core';
import type { AppContext } from '../context.js';
import { authRouter } from './auth/auth.router.js';
import { ceoRouter } from './ceo/ceo.router.js';
import { crmRouter, salesRouter } from './crm/crm.router.js';
import { healthRouter } from './health/health.router.js';
import { instagramRouter } from './instagram/instagram.router.js';
import { managementRouter } from './management/management.router.js';

/** A slice of the API: a router of the contract and its implementation. */
export interface ServerModule {
  contract: AppRouter;
  // The implementation's type is checked where it is built (s.router); here only the pairing matters.
  router(ctx: AppContext): unknown;
}

/** Every module the server mounts, in order. */
export const modules: ServerModule[] = [
  { contract: contract.health, router: healthRouter },
  { contract: contract.auth, router: authRouter },
  { contract: contract.ceo, router: ceoRouter },
  { contract: contract.management, router: managementRouter },
  { contract: contract.crm, router: crmRouter },
  { contract: contract.sales, router: salesRouter },
  { contract: contract.instagram, router: instagramRouter },
];
