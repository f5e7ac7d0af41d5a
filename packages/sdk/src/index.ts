export { type CimsClient, type CimsClientOptions, createCimsClient, type SuccessOf, unwrap } from './client.js';
export { CimsApiError, CimsResponseValidationError } from './errors.js';
export type { FetchFn } from './transport.js';
