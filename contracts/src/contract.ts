import { initContract } from '@ts-rest/core';
import { authContract } from './auth/auth.contract.js';
import { ceoContract } from './ceo/ceo.contract.js';
import { crmContract } from './crm/crm.contract.js';
import { salesContract } from './crm/sales.contract.js';
import { healthContract } from './health/health.contract.js';
import { managementContract } from './management/management.contract.js';

const c = initContract();

/**
 * The whole CIMS API: one router per domain. Routes sit at the root (`/healthz`, `/auth/login`, …), where the legacy
 * client expects them.
 */
export const contract = c.router({
  health: healthContract,
  auth: authContract,
  ceo: ceoContract,
  management: managementContract,
  crm: crmContract,
  sales: salesContract,
});

/** The type of {@link contract}. */
export type CimsContract = typeof contract;
