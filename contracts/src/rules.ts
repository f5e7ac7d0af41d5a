/**
 * `@cims/contracts/rules`: the pure rules and user-facing wording that the server and the mocks both apply, written
 * once so the two cannot drift apart. A subpath of its own, so that clients importing the contract (the SDK) do not
 * carry them. Storage stays with each implementation; what is decided, and how it is worded, lives here.
 */
export { AUTH_MESSAGES } from './auth/auth.messages.js';
export { sessionExpiry } from './auth/auth.rules.js';
export { CEO_MESSAGES } from './ceo/ceo.messages.js';
export { AUDIO_FORMATS, CRM_MESSAGES } from './crm/crm.messages.js';
export {
  type CustomerFormFields,
  type CustomerUpdateFields,
  type IntakeFields,
  type NewCustomerValues,
  PLAIN_CUSTOMER_FIELDS,
  type PlainCustomerField,
  type PlainCustomerValues,
  type Present,
  plainChangesOf,
  plainValuesOf,
} from './crm/customer-fields.js';
export { agreedStatus, type StatusState, statusKey, usableStatus } from './crm/customer-status.js';
export { type KeptField, updatedValue } from './crm/kept-values.js';
export { type LeadInsights, leadInsights, summarizeNotes } from './crm/lead-insights.js';
export { normalizePhone } from './crm/phone.js';
export { nextSalesManager } from './crm/sales-rotation.js';
export { FIELD_REQUIRED, type IssueLocation, validationIssues } from './errors/validation-issues.js';
export { FILE_MESSAGES } from './files/file.messages.js';
export { type SniffedType, sniffAudio, sniffImage } from './files/file-signatures.js';
export {
  type GraphAnswerFacts,
  type GraphFailureCode,
  type GraphFailureKind,
  type GraphFailureTexts,
  type GraphStage,
  graphFailureCode,
  graphFailureDetail,
  graphFailureKind,
} from './instagram/graph-failures.js';
export { type FollowerPoint, growthOf } from './instagram/growth.js';
export { INSTAGRAM_MESSAGES } from './instagram/instagram.messages.js';
export { MANAGEMENT_MESSAGES } from './management/management.messages.js';
export { forbiddenMessage, type RouteAccess, routeAccess } from './shared/access.js';
export { BusinessTime } from './shared/business-time.js';
export { COMMON_MESSAGES } from './shared/common.messages.js';
