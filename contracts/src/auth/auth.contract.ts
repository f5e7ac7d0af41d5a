import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { errorResponses } from '../errors/error.schemas.js';
import { meta } from '../shared/route-meta.js';
import { IdParamsSchema, multipartBody } from '../shared/shared.schemas.js';
import {
  AuthMessageSchema,
  ChangePasswordSchema,
  DashboardRedirectSchema,
  EmailOnlySchema,
  LoginFormSchema,
  LogoutAllResultSchema,
  LogoutSchema,
  MeSchema,
  ProfileFormSchema,
  ProfileInfoSchema,
  RefreshSchema,
  RegisterSchema,
  ResetPasswordSchema,
  SessionSchema,
  TokenPairSchema,
  VerifyEmailSchema,
} from './auth.schemas.js';

const c = initContract();

/** Profile pictures: the accepted types and the largest size. */
export const PROFILE_IMAGE = {
  required: true,
  description: 'The picture.',
  mediaTypes: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'],
  maxBytes: 5 * 1024 * 1024,
};

/** Sign-up, sign-in, sessions and the signed-in user's own profile. */
export const authContract = c.router(
  {
    register: {
      method: 'POST',
      path: '/auth/register',
      summary: 'Create an account',
      metadata: meta({
        auth: 'public',
        description:
          'Creates an unverified account with the lowest role and no pages, and e-mails a 6-digit code to verify it. ' +
          '`role` and `company_code` are accepted for compatibility and ignored. Closed when the server sets ' +
          '`REGISTRATION_OPEN=false`.',
      }),
      body: RegisterSchema,
      responses: { 201: AuthMessageSchema, ...errorResponses(400, 403, 409, 413, 415, 422, 429, 500) },
    },
    verifyEmail: {
      method: 'POST',
      path: '/auth/verify-email',
      summary: 'Verify the e-mail address with the code, and sign in',
      metadata: meta({
        auth: 'public',
        description: 'A code is single use, expires after 30 minutes and allows 5 attempts.',
      }),
      body: VerifyEmailSchema,
      responses: { 200: TokenPairSchema, ...errorResponses(400, 403, 413, 415, 422, 429, 500) },
    },
    resendVerification: {
      method: 'POST',
      path: '/auth/resend-verification',
      summary: 'Send a new verification code',
      metadata: meta({
        auth: 'public',
        description: 'Always answers the same way, whether or not the address has an unverified account.',
      }),
      body: EmailOnlySchema,
      responses: { 200: AuthMessageSchema, ...errorResponses(400, 413, 415, 422, 429, 500) },
    },
    forgotPassword: {
      method: 'POST',
      path: '/auth/forgot-password',
      summary: 'Send a password reset code',
      metadata: meta({
        auth: 'public',
        description: 'Always answers the same way, whether or not the address has an account.',
      }),
      body: EmailOnlySchema,
      responses: { 200: AuthMessageSchema, ...errorResponses(400, 413, 415, 422, 429, 500) },
    },
    resetPassword: {
      method: 'POST',
      path: '/auth/reset-password',
      summary: 'Set a new password with the reset code',
      metadata: meta({ auth: 'public', description: 'Ends every session of the account.' }),
      body: ResetPasswordSchema,
      responses: { 200: AuthMessageSchema, ...errorResponses(400, 413, 415, 422, 429, 500) },
    },
    login: {
      method: 'POST',
      path: '/auth/login',
      contentType: 'application/x-www-form-urlencoded',
      summary: 'Sign in with e-mail and password',
      metadata: meta({
        auth: 'public',
        description:
          'The OAuth2 password form: `username` is the e-mail address. A wrong password and an unknown address get ' +
          'the same `401`; an unverified or deactivated account is reported only after a correct password.',
      }),
      body: LoginFormSchema,
      responses: { 200: TokenPairSchema, ...errorResponses(400, 401, 403, 413, 415, 422, 429, 500) },
    },
    refresh: {
      method: 'POST',
      path: '/auth/refresh',
      summary: 'Exchange a refresh token for a new pair',
      metadata: meta({
        auth: 'public',
        description:
          'Rotation: the presented token is spent and a new pair is issued in the same session. The same token ' +
          'presented again within a few seconds (two tabs refreshing at once) gets a fresh pair too; later, it ' +
          'counts as theft and ends the session (`REFRESH_TOKEN_REUSED`). Each rotation renews the session’s ' +
          'inactivity lifetime, up to its maximum lifetime counted from sign-in (the reference server: 15 and 90 ' +
          'days by default); a session past either is `REFRESH_TOKEN_INVALID`.',
      }),
      body: RefreshSchema,
      responses: { 200: TokenPairSchema, ...errorResponses(400, 401, 413, 415, 422, 429, 500) },
    },
    me: {
      method: 'GET',
      path: '/auth/me',
      summary: 'The signed-in user',
      metadata: meta({ auth: 'bearer' }),
      responses: { 200: MeSchema, ...errorResponses(401, 500) },
    },
    updateProfileImage: {
      method: 'POST',
      path: '/auth/me/profile-image',
      contentType: 'multipart/form-data',
      summary: 'Replace the profile picture',
      metadata: meta({ auth: 'bearer', files: { image: PROFILE_IMAGE } }),
      body: multipartBody(z.object({}), ['image']),
      responses: { 200: AuthMessageSchema, ...errorResponses(400, 401, 413, 415, 422, 429, 500) },
    },
    updateProfileInfo: {
      method: 'PATCH',
      path: '/auth/me/profile-info',
      summary: 'Change name or surname',
      metadata: meta({ auth: 'bearer' }),
      body: ProfileInfoSchema,
      responses: { 200: AuthMessageSchema, ...errorResponses(400, 401, 413, 415, 422, 500) },
    },
    changePassword: {
      method: 'PATCH',
      path: '/auth/me/password',
      summary: 'Change the password',
      metadata: meta({ auth: 'bearer', description: 'Ends every other session of the account.' }),
      body: ChangePasswordSchema,
      responses: { 200: AuthMessageSchema, ...errorResponses(400, 401, 413, 415, 422, 429, 500) },
    },
    updateProfile: {
      method: 'PATCH',
      path: '/auth/me/profile',
      contentType: 'multipart/form-data',
      summary: 'Update name, surname, password and picture at once',
      metadata: meta({
        auth: 'bearer',
        description:
          '`current_password` and `new_password` go together. Changing the password ends the other sessions.',
        files: { image: { ...PROFILE_IMAGE, required: false } },
      }),
      body: multipartBody(ProfileFormSchema, ['image']),
      responses: { 200: AuthMessageSchema, ...errorResponses(400, 401, 413, 415, 422, 429, 500) },
    },
    logout: {
      method: 'POST',
      path: '/auth/logout',
      summary: 'End a session',
      metadata: meta({
        auth: 'bearer',
        description:
          'Ends the session of `refresh_token` (or of the access token). Succeeds when that session is already ' +
          'over; a token of another user is ignored.',
      }),
      body: LogoutSchema,
      responses: { 200: AuthMessageSchema, ...errorResponses(400, 401, 413, 415, 422, 500) },
    },
    logoutAll: {
      method: 'POST',
      path: '/auth/logout-all',
      summary: 'End every session of the signed-in user',
      metadata: meta({ auth: 'bearer', description: 'Outstanding access tokens stop working at once.' }),
      body: c.noBody(),
      responses: { 200: LogoutAllResultSchema, ...errorResponses(401, 500) },
    },
    listSessions: {
      method: 'GET',
      path: '/auth/sessions',
      summary: 'The signed-in user’s active sessions',
      metadata: meta({ auth: 'bearer' }),
      responses: { 200: z.array(SessionSchema), ...errorResponses(401, 500) },
    },
    revokeSession: {
      method: 'DELETE',
      path: '/auth/sessions/:id',
      summary: 'End one of the signed-in user’s sessions',
      metadata: meta({ auth: 'bearer' }),
      pathParams: IdParamsSchema,
      body: c.noBody(),
      responses: { 204: c.noBody(), ...errorResponses(401, 404, 422, 500) },
    },
    dashboardRedirect: {
      method: 'GET',
      path: '/auth/dashboard-redirect',
      summary: 'Where the signed-in user lands',
      metadata: meta({ auth: 'bearer' }),
      responses: { 200: DashboardRedirectSchema, ...errorResponses(401, 403, 500) },
    },
  },
  { strictStatusCodes: true },
);
