import { type GraphFailureKind, type GraphStage, graphFailureCode, INSTAGRAM_MESSAGES } from '@cims/contracts/rules';
import { ApiError } from '../../errors.js';
import type { GraphApiError } from './graph-client.js';

/** The contract's kind of a failure the client gave up on (`other` with code 100 is an unknown object). */
function kindOf(error: GraphApiError): GraphFailureKind {
  switch (error.failure) {
    case 'unavailable':
      return 'transient';
    case 'other':
      return error.details.graph?.code === 100 ? 'unknown-object' : 'other';
    default:
      return error.failure;
  }
}

/** What the answer says, in the wording the mocks use too; Meta's own message is quoted where there is one. */
function detailOf(kind: GraphFailureKind, stage: GraphStage, error: GraphApiError): string {
  const graphMessage = error.details.graph?.message;
  const setup = stage === 'setup';
  switch (kind) {
    case 'token':
      return setup ? INSTAGRAM_MESSAGES.tokenRefused(graphMessage) : INSTAGRAM_MESSAGES.tokenExpired(graphMessage);
    case 'permission':
      return setup
        ? INSTAGRAM_MESSAGES.permissionLacking(graphMessage)
        : INSTAGRAM_MESSAGES.permissionRevoked(graphMessage);
    case 'unknown-object':
      return setup ? INSTAGRAM_MESSAGES.accountRefused(graphMessage) : INSTAGRAM_MESSAGES.graphFailed(error.message);
    case 'transient':
      // The client's message already says that every attempt failed, and how.
      return error.message;
    default:
      return INSTAGRAM_MESSAGES.graphFailed(error.message);
  }
}

/**
 * A Graph API failure as the API reports it, by the contract's `graphFailureCode`: at setup the Graph API judges the
 * caller's token and id (400 when it refuses them); afterwards a refused token needs a reconnect (409). Throttling is
 * 503 with `Retry-After`; anything else upstream is 502.
 */
export function graphFailure(error: GraphApiError, stage: GraphStage): ApiError {
  const kind = kindOf(error);
  const code = graphFailureCode(kind, stage);
  const extra: Record<string, unknown> = error.details.graph ? { graph_error: error.details.graph } : {};
  if (kind === 'rate-limited') {
    const seconds = error.details.retryAfterSeconds ?? 60;
    return new ApiError(code, INSTAGRAM_MESSAGES.throttled(seconds, error.details.graph?.message), {
      cause: error,
      extra: { ...extra, retry_after_seconds: seconds },
      headers: { 'Retry-After': String(seconds) },
    });
  }
  return new ApiError(code, detailOf(kind, stage, error), { cause: error, extra });
}
