import { contract } from '@cims/contracts';
import { AUTH_MESSAGES, FILE_MESSAGES } from '@cims/contracts/rules';
import { initServer } from '@ts-rest/express';
import type { Request } from 'express';
import type { AppContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import { callerOf } from '../../http/authenticate.js';
import { uploadedFile } from '../../http/multipart.js';
import { requestInfo, requestScope } from '../../http/request-info.js';
import type { ProfilePicture } from './profile.service.js';

const s = initServer();

const ok = (message: string) => ({ success: true as const, message });

/** The uploaded picture of `field`: the multipart parser already recognised it by its bytes (`IMAGE_UPLOAD`). */
function pictureFrom(req: Request, field: string): ProfilePicture | undefined {
  const file = uploadedFile(req, field);
  return file && { source: { path: file.path }, extension: file.extension };
}

export function authRouter(ctx: AppContext) {
  const { signUp, passwordReset, signIn, sessions, profile } = ctx.auth;

  return s.router(contract.auth, {
    register: async ({ body, req }) => {
      await signUp.register(requestInfo(req), body);
      return { status: 201, body: ok(AUTH_MESSAGES.registered) };
    },
    verifyEmail: async ({ body, req }) => ({
      status: 200,
      body: await signUp.verifyEmail(requestInfo(req), body),
    }),
    resendVerification: async ({ body, req }) => {
      await signUp.resendVerification(requestInfo(req), body.email);
      return { status: 200, body: ok(AUTH_MESSAGES.verificationResent) };
    },
    forgotPassword: async ({ body, req }) => {
      await passwordReset.forgotPassword(requestInfo(req), body.email);
      return { status: 200, body: ok(AUTH_MESSAGES.resetCodeSent) };
    },
    resetPassword: async ({ body, req }) => {
      await passwordReset.resetPassword(requestInfo(req), body);
      return { status: 200, body: ok(AUTH_MESSAGES.passwordReset) };
    },
    login: async ({ body, req }) => ({
      status: 200,
      body: await signIn.login(requestInfo(req), { email: body.username, password: body.password }),
    }),
    refresh: async ({ body, req }) => ({
      status: 200,
      body: await signIn.refresh(requestInfo(req), body.refresh_token),
    }),
    me: async ({ res }) => ({ status: 200, body: await profile.me(callerOf(res)) }),
    updateProfileImage: async ({ req, res }) => {
      const picture = pictureFrom(req, 'image');
      if (!picture) throw new ApiError('INVALID_FILE', FILE_MESSAGES.pictureMissing('image'));
      const scope = requestScope(req, res);
      await profile.updateProfile(scope, { image: picture });
      const me = await profile.me(scope.caller);
      return { status: 200, body: ok(AUTH_MESSAGES.profilePictureUpdated(me.profile_image)) };
    },
    updateProfileInfo: async ({ body, req, res }) => {
      await profile.updateProfileInfo(requestScope(req, res), body);
      return { status: 200, body: ok(AUTH_MESSAGES.profileUpdated) };
    },
    changePassword: async ({ body, req, res }) => {
      await profile.changePassword(requestScope(req, res), body);
      return { status: 200, body: ok(AUTH_MESSAGES.passwordChanged) };
    },
    updateProfile: async ({ body, req, res }) => {
      const fields = body instanceof FormData ? {} : body;
      await profile.updateProfile(requestScope(req, res), { ...fields, image: pictureFrom(req, 'image') });
      return { status: 200, body: ok(AUTH_MESSAGES.profileUpdated) };
    },
    logout: async ({ body, req, res }) => {
      await sessions.logout(requestScope(req, res), body.refresh_token);
      return { status: 200, body: ok(AUTH_MESSAGES.signedOut) };
    },
    logoutAll: async ({ req, res }) => {
      const revoked = await sessions.logoutAll(requestScope(req, res));
      return { status: 200, body: { ...ok(AUTH_MESSAGES.signedOutEverywhere), revoked_sessions: revoked } };
    },
    listSessions: async ({ res }) => ({ status: 200, body: await sessions.listSessions(callerOf(res)) }),
    revokeSession: async ({ params, req, res }) => {
      await sessions.revokeSession(requestScope(req, res), params.id);
      return { status: 204, body: undefined };
    },
    dashboardRedirect: async ({ res }) => ({
      status: 200,
      body: { redirect_url: await profile.dashboardRedirect(callerOf(res)) },
    }),
  });
}
