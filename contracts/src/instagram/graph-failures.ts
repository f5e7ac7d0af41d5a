import type { ErrorCode } from '../errors/error-codes.js';
import { INSTAGRAM_MESSAGES } from './instagram.messages.js';

/** Graph error codes of throttling: app (4), user (17), page (32), a custom per-endpoint limit (613). */
const THROTTLE_CODES = new Set([4, 17, 32, 613]);
/**
 * The Business Use Case rate limits, one code per use case (80001 pages, 80002 Instagram, 80004 ads, …): an account
 * of this API is read through more than one use case, so every one of them is throttling.
 */
const BUSINESS_USE_CASE_CODES = { first: 80_000, last: 80_014 };

/**
 * What a failed Graph API call means:
 * - `token`: code 190, the token is expired, revoked or invalid (needs a reconnect);
 * - `permission`: code 10 or 200–299, a permission is missing or was revoked (needs a reconnect);
 * - `rate-limited`: throttling (codes 4, 17, 32, 613 and 80000–80014);
 * - `transient`: worth another attempt: no answer at all, HTTP 5xx, codes 1 and 2, or Meta's `is_transient`;
 * - `unknown-object`: code 100, an id the token may not read or that does not exist;
 * - `other`: any other answer, including code 1 over HTTP 4xx without `is_transient`, which is how Meta refuses
 *   wrong app credentials (another attempt cannot help).
 */
export type GraphFailureKind = 'token' | 'permission' | 'rate-limited' | 'transient' | 'unknown-object' | 'other';

/** What a failed Graph API call came back with. */
export interface GraphAnswerFacts {
  /** The HTTP status; `null` when nothing answered (the network failed, the call timed out). */
  status: number | null;
  /** The `error.code` of Meta's error object; `undefined` when the answer had none. */
  code?: number | undefined;
  /** Meta's `error.is_transient`. */
  isTransient?: boolean | undefined;
}

/** Sorts a failed Graph API call: what needs a reconnect, what is throttling, what is Meta's trouble. */
export function graphFailureKind({ status, code, isTransient = false }: GraphAnswerFacts): GraphFailureKind {
  if (status === null) return 'transient';
  if (code !== undefined) {
    if (code === 190) return 'token';
    if (code === 10 || (code >= 200 && code <= 299)) return 'permission';
    if (THROTTLE_CODES.has(code)) return 'rate-limited';
    if (code >= BUSINESS_USE_CASE_CODES.first && code <= BUSINESS_USE_CASE_CODES.last) return 'rate-limited';
    if (code === 1 && status >= 400 && status < 500 && !isTransient) return 'other';
    if (code === 1 || code === 2 || isTransient) return 'transient';
  }
  // An unknown object over HTTP 5xx is Meta's trouble, not a verdict on the id.
  if (status >= 500) return 'transient';
  return code === 100 ? 'unknown-object' : 'other';
}

/** Where a Graph API call was made: connecting an account (`setup`), or using a connected one (`use`). */
export type GraphStage = 'setup' | 'use';

/** The API errors a Graph failure can become. */
export type GraphFailureCode = Extract<
  ErrorCode,
  'INSTAGRAM_TOKEN_REJECTED' | 'INSTAGRAM_RECONNECT_REQUIRED' | 'UPSTREAM_RATE_LIMITED' | 'UPSTREAM_UNAVAILABLE'
>;

/**
 * The API error a Graph failure answers with, once retries are spent. At setup the Graph API judges the token and the
 * account id the caller sent (`400 INSTAGRAM_TOKEN_REJECTED`); afterwards a refused token or permission needs a
 * reconnect (`409`). Throttling is `503`, anything else Meta's trouble (`502`).
 */
export function graphFailureCode(kind: GraphFailureKind, stage: GraphStage): GraphFailureCode {
  switch (kind) {
    case 'token':
    case 'permission':
      return stage === 'setup' ? 'INSTAGRAM_TOKEN_REJECTED' : 'INSTAGRAM_RECONNECT_REQUIRED';
    case 'unknown-object':
      return stage === 'setup' ? 'INSTAGRAM_TOKEN_REJECTED' : 'UPSTREAM_UNAVAILABLE';
    case 'rate-limited':
      return 'UPSTREAM_RATE_LIMITED';
    case 'transient':
    case 'other':
      return 'UPSTREAM_UNAVAILABLE';
    default: {
      const unknown: never = kind;
      throw new Error(`Unknown Graph failure kind ${String(unknown)}`);
    }
  }
}

/** The texts a Graph failure's message is made of, as each side has them. */
export interface GraphFailureTexts {
  /** Meta's own message, quoted where there is one. */
  graphMessage?: string;
  /** What failed, as `INSTAGRAM_MESSAGES.graphFailed` quotes it. */
  failure: string;
  /** The whole message of a failure every attempt met (`INSTAGRAM_MESSAGES.graphUnavailable`). */
  unavailable: string;
}

/** The `detail` of the API error a Graph failure answers with ({@link graphFailureCode} gives its code). */
export function graphFailureDetail(kind: GraphFailureKind, stage: GraphStage, texts: GraphFailureTexts): string {
  const { graphMessage, failure } = texts;
  const setup = stage === 'setup';
  switch (kind) {
    case 'token':
      return setup ? INSTAGRAM_MESSAGES.tokenRefused(graphMessage) : INSTAGRAM_MESSAGES.tokenExpired(graphMessage);
    case 'permission':
      return setup
        ? INSTAGRAM_MESSAGES.permissionLacking(graphMessage)
        : INSTAGRAM_MESSAGES.permissionRevoked(graphMessage);
    case 'unknown-object':
      return setup ? INSTAGRAM_MESSAGES.accountRefused(graphMessage) : INSTAGRAM_MESSAGES.graphFailed(failure);
    case 'transient':
      return texts.unavailable;
    default:
      return INSTAGRAM_MESSAGES.graphFailed(failure);
  }
}
