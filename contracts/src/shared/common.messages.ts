/**
 * User-facing messages that are no domain's own (routing, request bodies, authentication, limits), which the server
 * and the mocks both send, written once so their wording cannot drift apart. The legacy client shows `detail` as is.
 */
export const COMMON_MESSAGES = {
  /** `404 NOT_FOUND` of a path no route has. */
  notFound: 'Not Found',
  /** `405 METHOD_NOT_ALLOWED` of a known path with another method. */
  methodNotAllowed: 'Method Not Allowed',
  /** `401 UNAUTHENTICATED` of a request without credentials. */
  notAuthenticated: 'Not authenticated',
  /** `429 RATE_LIMITED` of too many attempts (sign-ins, codes, mails) in a window. */
  tooManyAttempts: 'Too many attempts; try again later',
  /** `400 NOTHING_TO_UPDATE` of a change that sets no field. */
  nothingToUpdate: 'Nothing to update',
  /** `400 MALFORMED_BODY` of a JSON body that does not parse. */
  bodyNotJson: 'The request body is not valid JSON',
  /** `400 MALFORMED_BODY` of a body that could not be read. */
  bodyUnreadable: 'The request body could not be read',
  /** `415 UNSUPPORTED_MEDIA_TYPE` of a body whose `Content-Type` the route does not take (`none` when absent). */
  mediaTypeRefused: (sent: string, accepted: readonly string[]) =>
    `Content-Type ${sent} is not accepted here; send ${accepted.join(' or ')}`,
} as const;
