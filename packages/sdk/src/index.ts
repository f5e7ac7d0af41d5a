export {
  type CimsClient,
  type CimsClientOptions,
  type CimsContract,
  createCimsClient,
  type SuccessOf,
  type TokenPair,
  unwrap,
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
