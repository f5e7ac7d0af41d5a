/**
 * The user-facing messages of sign-up, sign-in, sessions and the profile (`/auth`) that the server and the mocks both
 * send, written once so their wording cannot drift apart. The legacy client shows `detail` and `message` as they are.
 */
export const AUTH_MESSAGES = {
  /** `201` of `POST /auth/register`. */
  registered: 'Account created: we sent a 6-digit code to your e-mail address to verify it',
  /** `200` of `POST /auth/resend-verification`, whether or not the address has an account. */
  verificationResent: 'If this address has an unverified account, a new code is on its way',
  /** `200` of `POST /auth/forgot-password`, whether or not the address has an account. */
  resetCodeSent: 'If this address has an account, a reset code is on its way',
  /** `200` of `POST /auth/reset-password`. */
  passwordReset: 'Password updated; sign in with the new password',
  /** `200` of a profile change. */
  profileUpdated: 'Profile updated',
  /** `200` of `PUT /auth/profile/image`, naming the stored picture. */
  profilePictureUpdated: (url: string | null) => `Profile picture updated: ${url}`,
  /** `200` of a password change. */
  passwordChanged: 'Password updated; your other sessions were ended',
  /** `200` of `POST /auth/logout`. */
  signedOut: 'Signed out',
  /** `200` of `POST /auth/logout-all`. */
  signedOutEverywhere: 'Signed out on every device',
  /** `401 INVALID_CREDENTIALS`. */
  invalidCredentials: 'Incorrect e-mail or password',
  /** `401 UNAUTHENTICATED` of an access token that does not verify or has expired. */
  accessTokenInvalid: 'The access token is invalid or expired',
  /** `401 UNAUTHENTICATED` of a valid access token whose session (or user) is gone. */
  sessionEnded: 'The session has ended',
  /** `401 REFRESH_TOKEN_INVALID`. */
  refreshTokenInvalid: 'The refresh token is invalid or expired',
  /** `401 REFRESH_TOKEN_REUSED`: a rotated refresh token came back, so its session was ended. */
  refreshTokenReused: 'This refresh token was already used; the session was ended',
  /** `400 INVALID_CODE` of a verification or reset code. */
  invalidCode: 'The code is wrong, expired or already used',
  /** `403 REGISTRATION_CLOSED`. */
  registrationClosed: 'Registration is closed; ask an administrator for an account',
  /** `409 EMAIL_TAKEN` of a sign-up or a new user with an address in use. */
  emailTaken: 'An account with this e-mail address already exists',
  /** `403 ACCOUNT_INACTIVE`. */
  accountInactive: 'This account is deactivated',
  /** `403 EMAIL_NOT_VERIFIED`. */
  emailNotVerified: 'Verify your e-mail address first; we sent you a code',
  /** `400 WRONG_CURRENT_PASSWORD`. */
  wrongCurrentPassword: 'The current password is not correct',
  /** `404 NOT_FOUND` of a session that is not the caller's live one. */
  sessionNotFound: 'No such active session',
  /** `403 NO_PAGE_ACCESS` of the dashboard redirect of a user without an active page. */
  noPageAccess: 'You have no page access; ask an administrator',
} as const;
