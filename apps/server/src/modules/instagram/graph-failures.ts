import { INSTAGRAM_MESSAGES } from '@cims/contracts/rules';
import { ApiError } from '../../errors.js';
import type { GraphApiError } from './graph-client.js';

/**
 * A Graph API failure as the API reports it. At setup the Graph API judges the caller's token and id (400 when it
 * refuses them); afterwards a refused token needs a reconnect (409). Throttling is 503 with `Retry-After`; anything
 * else upstream is 502.
 */
export function graphFailure(error: GraphApiError, stage: 'setup' | 'use'): ApiError {
  const graphCode = error.details.graph?.code;
  const extra: Record<string, unknown> = error.details.graph ? { graph_error: error.details.graph } : {};
  const graphMessage = error.details.graph?.message;
  switch (error.failure) {
    case 'token':
      return stage === 'setup'
        ? new ApiError('INSTAGRAM_TOKEN_REJECTED', INSTAGRAM_MESSAGES.tokenRefused(graphMessage), {
            cause: error,
            extra,
          })
        : new ApiError('INSTAGRAM_RECONNECT_REQUIRED', INSTAGRAM_MESSAGES.tokenExpired(graphMessage), {
            cause: error,
            extra,
          });
    case 'permission':
      return stage === 'setup'
        ? new ApiError('INSTAGRAM_TOKEN_REJECTED', INSTAGRAM_MESSAGES.permissionLacking(graphMessage), {
            cause: error,
            extra,
          })
        : new ApiError('INSTAGRAM_RECONNECT_REQUIRED', INSTAGRAM_MESSAGES.permissionRevoked(graphMessage), {
            cause: error,
            extra,
          });
    case 'rate-limited': {
      const seconds = error.details.retryAfterSeconds ?? 60;
      return new ApiError('UPSTREAM_RATE_LIMITED', INSTAGRAM_MESSAGES.throttled(seconds, graphMessage), {
        cause: error,
        extra: { ...extra, retry_after_seconds: seconds },
        headers: { 'Retry-After': String(seconds) },
      });
    }
    case 'unavailable':
      return new ApiError('UPSTREAM_UNAVAILABLE', error.message, { cause: error, extra });
    case 'other':
      if (stage === 'setup' && graphCode === 100) {
        return new ApiError('INSTAGRAM_TOKEN_REJECTED', INSTAGRAM_MESSAGES.accountRefused(graphMessage), {
          cause: error,
          extra,
        });
      }
      return new ApiError('UPSTREAM_UNAVAILABLE', INSTAGRAM_MESSAGES.graphFailed(error.message), {
        cause: error,
        extra,
      });
    default: {
      const unknown: never = error.failure;
      throw new Error(`Unhandled Graph failure ${String(unknown)}`);
    }
  }
}
