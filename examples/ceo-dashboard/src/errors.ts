import { CimsApiError, CimsResponseValidationError, SessionExpiredError } from '@cims/sdk';
import { API_URL, MODE } from './config.js';

interface GraphErrorBody {
  detail?: unknown;
  retry_after_seconds?: number;
  graph_error?: { message?: string };
}

function minutes(seconds: number | undefined): string {
  if (seconds === undefined) return 'a few minutes';
  const count = Math.max(1, Math.ceil(seconds / 60));
  return count === 1 ? 'a minute' : `${count} minutes`;
}

/** What went wrong, in words for the CEO: one sentence per error code the dashboard can meet. */
export function describeError(error: unknown): string {
  if (error instanceof SessionExpiredError) return 'Your session has ended. Please sign in again.';
  if (error instanceof CimsApiError) {
    const body = (error.body ?? {}) as GraphErrorBody;
    const instagramSaid = body.graph_error?.message ? ` (Instagram said: “${body.graph_error.message}”)` : '';
    switch (error.code) {
      case 'INVALID_CREDENTIALS':
        return 'Wrong e-mail or password.';
      case 'RATE_LIMITED':
        return 'Too many attempts. Please wait a few minutes and try again.';
      case 'FORBIDDEN':
        return 'Your account may not see this: it is for the CEO.';
      case 'INSTAGRAM_NOT_CONNECTED':
        return 'No Instagram account is connected yet.';
      case 'INSTAGRAM_RECONNECT_REQUIRED':
        return `Instagram needs to be reconnected: the access token expired or was revoked, or a permission is missing. Connect the account again with a new token.${instagramSaid}`;
      case 'INSTAGRAM_TOKEN_REJECTED':
        return `Instagram refused this token or account id. Check them and try again.${instagramSaid}`;
      case 'UPSTREAM_RATE_LIMITED':
        return `Instagram is limiting requests right now. Try again in ${minutes(body.retry_after_seconds)}.${instagramSaid}`;
      case 'UPSTREAM_UNAVAILABLE':
        return `Instagram is not answering right now. Try again in a few minutes.${instagramSaid}`;
      default:
        return error.message || `The server refused the request (${error.status}).`;
    }
  }
  if (error instanceof CimsResponseValidationError) {
    return `The server answered ${error.method} ${error.path} in a shape this dashboard does not know.`;
  }
  // fetch rejects with a TypeError when the server cannot be reached (down, wrong URL, CORS refused).
  if (error instanceof TypeError && MODE === 'live') {
    return `Could not reach the CIMS server at ${API_URL}. Is it running, with this page's origin in CORS_ORIGINS?`;
  }
  const text = error instanceof Error ? error.message : String(error ?? '');
  return text || 'Something went wrong. Please try again.';
}
