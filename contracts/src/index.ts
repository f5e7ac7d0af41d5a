export { type CimsContract, contract } from './contract.js';
export {
  type ApiErrorBody,
  ApiErrorSchema,
  errorResponses,
  type ValidationErrorBody,
  ValidationErrorSchema,
  type ValidationIssue,
  ValidationIssueSchema,
} from './errors/error.schemas.js';
export {
  ERROR_CODES,
  ERROR_STATUS,
  type ErrorCode,
  type ErrorCodeForStatus,
  type ErrorStatus,
  errorStatus,
} from './errors/error-codes.js';
export {
  healthContract,
  type Liveness,
  LivenessSchema,
  type Readiness,
  type ReadinessCheck,
  ReadinessCheckSchema,
  ReadinessQuerySchema,
  ReadinessSchema,
} from './health/index.js';
export { type FilePart, meta, type RouteAuth, type RouteMeta, routeMeta } from './shared/route-meta.js';
export { type ContractRoute, listRoutes } from './shared/routes.js';
export {
  IdParamSchema,
  IdSchema,
  type PaginationQuery,
  PaginationQuerySchema,
  paginated,
  QueryBooleanSchema,
  TimestampSchema,
} from './shared/shared.schemas.js';
