import { createHash, timingSafeEqual } from 'node:crypto';
import { CRM_MESSAGES } from '@cims/contracts/rules';
import { ApiError } from '../../errors.js';

/**
 * Checks the intake API's `X-Key` against `CRM_CUSTOMER_API_KEY` in constant time: both sides are hashed first, so
 * neither the content nor the length of the configured key shows in the timing. No key configured → 503; a missing
 * or wrong one → 401.
 */
export function verifyIntakeKey(configured: string | undefined, key: string | undefined): void {
  if (!configured) {
    throw new ApiError('SERVICE_UNAVAILABLE', CRM_MESSAGES.intakeDisabled);
  }
  const digest = (value: string) => createHash('sha256').update(value).digest();
  if (key === undefined || !timingSafeEqual(digest(key), digest(configured))) {
    throw new ApiError('INVALID_API_KEY', CRM_MESSAGES.intakeKeyRejected);
  }
}
