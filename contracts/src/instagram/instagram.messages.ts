/** What the answers that need a new token tell the user to do. */
const RECONNECT = 'connect the account again with /instagram/setup';

/** Meta's own message of a Graph API error, as a message quotes it (nothing without one). */
const graphNote = (message?: string | null) => (message ? ` (Graph API: ${message})` : '');

/** The permissions the Instagram routes need of a token. */
const PERMISSIONS = 'instagram_basic, pages_read_engagement';

/**
 * The user-facing messages of `/instagram` that the server and the mocks both send, written once so their wording
 * cannot drift apart. The functions taking `graphMessage` quote Meta's own message of the failed call when there was
 * one.
 */
export const INSTAGRAM_MESSAGES = {
  /** What a message that needs a new token tells the user to do. */
  reconnect: RECONNECT,
  /** `404 INSTAGRAM_NOT_CONNECTED`. */
  notConnected: 'No Instagram account is connected; connect one with /instagram/setup first',
  /** `200` of `POST /instagram/setup`: `updated` when the account was connected before, else `configured`. */
  setUp: (username: string, updated: boolean) =>
    `Instagram account '${username}' ${updated ? 'updated' : 'configured'} successfully`,
  /** `200` of `POST /instagram/sync`. */
  synchronized: 'Instagram data synchronized successfully',
  /** `200` of `DELETE /instagram/account`, with how many snapshots went when the history was purged. */
  disconnected: (username: string, purged?: number) =>
    purged === undefined
      ? `Instagram account '${username}' disconnected; its history is kept`
      : `Instagram account '${username}' disconnected; ${purged} snapshots deleted`,
  /** `400 INSTAGRAM_TOKEN_REJECTED` of a setup whose token `debug_token` says is not valid. */
  tokenInvalid: 'The Graph API says the access token is not valid',
  /** `400 INSTAGRAM_TOKEN_REJECTED` of a setup whose token the Graph API refused. */
  tokenRefused: (graphMessage?: string | null) =>
    `The Graph API refused the access token${graphNote(graphMessage)}; nothing was saved`,
  /** `400 INSTAGRAM_TOKEN_REJECTED` of a setup whose token lacks a permission. */
  permissionLacking: (graphMessage?: string | null) =>
    `The access token lacks a permission the server needs (${PERMISSIONS})${graphNote(graphMessage)}; nothing was saved`,
  /** `400 INSTAGRAM_TOKEN_REJECTED` of a setup whose account id (or token) the Graph API refused (code 100). */
  accountRefused: (graphMessage?: string | null) =>
    `The Graph API refused the account id or the token${graphNote(graphMessage)}; nothing was saved`,
  /** `409 INSTAGRAM_RECONNECT_REQUIRED` of a stored token the Graph API no longer takes. */
  tokenExpired: (graphMessage?: string | null) =>
    `The Instagram access token expired or was revoked${graphNote(graphMessage)}: ${RECONNECT}`,
  /** `409 INSTAGRAM_RECONNECT_REQUIRED` of a stored token that lost a permission. */
  permissionRevoked: (graphMessage?: string | null) =>
    `A permission the server needs is missing or was revoked (${PERMISSIONS})${graphNote(graphMessage)}: ${RECONNECT} with a token that grants it`,
  /** `503 UPSTREAM_RATE_LIMITED`, with the seconds of `Retry-After`. */
  throttled: (seconds: number, graphMessage?: string | null) =>
    `The Graph API is throttling this app or account${graphNote(graphMessage)}; try again in ${seconds} s`,
  /** `502 UPSTREAM_UNAVAILABLE` of a Graph failure that is neither the token's nor transient. */
  graphFailed: (failure: string) => `The Graph API failed: ${failure}`,
  /** A failed Graph call as the messages above describe it: its HTTP status and Meta's error, if it sent one. */
  graphAnswered: (status: number, graph: { code: number; message: string } | null, readable = true) =>
    graph
      ? `The Graph API answered HTTP ${status} with error ${graph.code}: ${graph.message}`
      : `The Graph API answered HTTP ${status}${readable ? '' : ' without a readable body'}`,
  /** The `message` of a Graph API error object that came without one. */
  graphGaveNoMessage: 'The Graph API gave no message',
  /** A Graph call that reached nobody (with the network's error code when known). */
  graphUnreachable: (code?: string) => `The Graph API could not be reached${code ? ` (${code})` : ''}`,
  /** `502 UPSTREAM_UNAVAILABLE` of a transient failure that lasted through every attempt. */
  graphUnavailable: (failure: string, attempts: number) => `${failure} (${attempts} attempts)`,
} as const;
