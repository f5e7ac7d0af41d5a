import {
  type GraphFailureKind,
  type GraphStage,
  graphFailureCode,
  graphFailureDetail,
  INSTAGRAM_MESSAGES,
} from '@cims/contracts/rules';
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
  return new ApiError(
    code,
    graphFailureDetail(kind, stage, {
      graphMessage: error.details.graph?.message,
      failure: error.message,
      // The client's message already says that every attempt failed, and how.
      unavailable: error.message,
    }),
    { cause: error, extra },
  );
}
