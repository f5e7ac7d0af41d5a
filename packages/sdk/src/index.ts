export {
  type CimsClient,
  type CimsClientArgs,
  type CimsClientOf,
  type CimsClientOptions,
  type CimsContract,
  type CimsDomainClient,
  type CimsRoutes,
  type CimsSessionMethods,
  createCimsClient,
  createCimsDomainClient,
  type LogoutAllResult,
  type RouterClient,
  type TokenPair,
  type WithAuth,
} from './client.js';
export {
  CimsApiError,
  type CimsApiErrorOf,
  CimsError,
  type CimsErrorBody,
  CimsNetworkError,
  type CimsRequestInfo,
  CimsResponseValidationError,
  CimsTimeoutError,
  CimsUnexpectedResponseError,
  type SessionEndReason,
  SessionExpiredError,
} from './errors.js';
export type {
  ContractRouteOf,
  ResponseIssue,
  RouteDescriptor,
  StandardIssue,
  StandardResult,
  StandardSchema,
} from './route-descriptor.js';
export type { RefreshLock } from './session.js';
export {
  type AuthTokens,
  type LocalStorageTokenStoreOptions,
  localStorageTokenStore,
  memoryTokenStore,
  type TokenStore,
  type TokenStoreChange,
} from './token-store.js';
export type { FetchFn } from './transport.js';
export { type SuccessOf, unwrap } from './unwrap.js';
