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
  CimsResponseValidationError,
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
