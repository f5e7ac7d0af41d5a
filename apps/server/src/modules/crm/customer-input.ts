import type { contract, ValidationIssue } from '@cims/contracts';
import { INSTANT_RANGE_MESSAGE, isAcceptedInstant } from '@cims/contracts';
import { CRM_MESSAGES, normalizePhone } from '@cims/contracts/rules';
import type { ServerInferRequest } from '@ts-rest/core';
import type { CountryCode } from 'libphonenumber-js';
import { ApiError } from '../../errors.js';
import type { CustomerContext } from './customer-context.js';

/**
 * The body of `POST /crm/customers` as its handler receives it. The value is always the contract's parsed text fields
 * (the upload comes from multer); ts-rest types it as `Without<FormData | fields, File>`, a `Pick` over a union that
 * names no field, so {@link fieldsOf} gives it back its parsed type.
 */
export type CreateBody = ServerInferRequest<typeof contract.crm.create>['body'];
/** The body of `PUT`/`PATCH /crm/customers/{id}` as its handler receives it; see {@link CreateBody}. */
export type UpdateBody = ServerInferRequest<typeof contract.crm.update>['body'];

/** A 422 issue about a body field. */
export const issue = (field: string, msg: string): ValidationIssue => ({
  loc: ['body', field],
  msg,
  type: 'value_error',
});

/**
 * The parsed text fields of a multipart body. The route's body schema is `FormData | fields`; on the server only the
 * fields branch can match (multer and the URL-encoded parser give plain objects), so that is what `body` holds.
 */
export function fieldsOf<TFields>(body: unknown): TFields {
  if (body instanceof FormData || typeof body !== 'object' || body === null) {
    throw new ApiError('MALFORMED_BODY', 'The form could not be read');
  }
  return body as TFields;
}

/** E.164 with the business's default region for numbers without a country code, or a 422 issue. */
export function phoneOf(ctx: CustomerContext, value: string, issues: ValidationIssue[]): string | undefined {
  const phone = normalizePhone(value, ctx.deps.config.crm.phoneRegion as CountryCode);
  if (phone === undefined) issues.push(issue('phone_number', CRM_MESSAGES.phoneInvalid));
  return phone;
}

/** An ISO-8601 moment; without an offset in the business zone; within the instants the API accepts. */
export function momentOf(ctx: CustomerContext, value: string, issues: ValidationIssue[]): Date | undefined {
  const at = ctx.deps.time.parse(value);
  if (!at) issues.push(issue('recall_time', CRM_MESSAGES.dateTimeInvalid));
  else if (!isAcceptedInstant(at)) issues.push(issue('recall_time', INSTANT_RANGE_MESSAGE));
  return at;
}
