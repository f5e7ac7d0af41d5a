import { initContract } from '@ts-rest/core';
import { authContract } from './auth/auth.contract.js';
import { ceoContract } from './ceo/ceo.contract.js';
import { crmContract } from './crm/crm.contract.js';
import { salesContract } from './crm/sales.contract.js';
import { healthContract } from './health/health.contract.js';
import { instagramContract } from './instagram/instagram.contract.js';
import { managementContract } from './management/management.contract.js';

const c = initContract();

/** The type of {@link contract}: one router per domain (named, so declaration files stay small). */
export type CimsContract = {
  health: typeof healthContract;
  auth: typeof authContract;
  ceo: typeof ceoContract;
  management: typeof managementContract;
  crm: typeof crmContract;
  sales: typeof salesContract;
  instagram: typeof instagramContract;
};

/**
 * The whole CIMS API: one router per domain. Routes sit at the root (`/healthz`, `/auth/login`, …), where the legacy
 * client expects them.
 */
export const contract: CimsContract = c.router({
  health: healthContract,
  auth: authContract,
  ceo: ceoContract,
  management: managementContract,
  crm: crmContract,
  sales: salesContract,
  instagram: instagramContract,
});
