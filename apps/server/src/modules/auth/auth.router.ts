import { contract } from '@cims/contracts';
import { AUTH_MESSAGES, FILE_MESSAGES } from '@cims/contracts/rules';
import { initServer } from '@ts-rest/express';
import type { Request } from 'express';
import type { AppContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import { callerOf } from '../../http/authenticate.js';
import { uploadedFile } from '../../http/multipart.js';
import { requestInfo } from '../../http/request-info.js';
import type { BlobSource } from '../files/blob-store.js';

const s = initServer();

const ok = (message: string) => ({ success: true as const, message });

/** The uploaded picture of `field`: the multipart parser already recognised it by its bytes (`IMAGE_UPLOAD`). */
function pictureFrom(req: Request, field: string): { source: BlobSource; extension: string } | undefined {
  const file = uploadedFile(req, field);
  return file && { source: { path: file.path }, extension: file.extension };
}

export function authRouter(ctx: AppContext) {
  const { auth } = ctx;

  return s.router(contract.auth, {
    register: async ({ body, req }) => {
      await auth.register(body, requestInfo(req));
      return { status: 201, body: ok(AUTH_MESSAGES.registered) };
    },
    verifyEmail: async ({ body, req }) => ({
      status: 200,
      body: await auth.verifyEmail(body.email, body.code, requestInfo(req)),
    }),
    resendVerification: async ({ body, req }) => {
      await auth.resendVerification(body.email, requestInfo(req));
      return { status: 200, body: ok(AUTH_MESSAGES.verificationResent) };
    },
    forgotPassword: async ({ body, req }) => {
      await auth.forgotPassword(body.email, requestInfo(req));
      return { status: 200, body: ok(AUTH_MESSAGES.resetCodeSent) };
    },
    resetPassword: async ({ body, req }) => {
      await auth.resetPassword(body.email, body.code, body.new_password, requestInfo(req));
      return { status: 200, body: ok(AUTH_MESSAGES.passwordReset) };
    },
    login: async ({ body, req }) => ({
      status: 200,
      body: await auth.login(body.username, body.password, requestInfo(req)),
    }),
    refresh: async ({ body, req }) => ({ status: 200, body: await auth.refresh(body.refresh_token, requestInfo(req)) }),
    me: async ({ res }) => ({ status: 200, body: await auth.me(callerOf(res)) }),
    updateProfileImage: async ({ req, res }) => {
      const who = callerOf(res);
      const picture = pictureFrom(req, 'image');
      if (!picture) throw new ApiError('INVALID_FILE', FILE_MESSAGES.pictureMissing('image'));
      await auth.updateProfile(who, {}, picture, requestInfo(req));
      const me = await auth.me(who);
      return { status: 200, body: ok(AUTH_MESSAGES.profilePictureUpdated(me.profile_image)) };
    },
    updateProfileInfo: async ({ body, req, res }) => {
      await auth.updateProfileInfo(callerOf(res), body, requestInfo(req));
      return { status: 200, body: ok(AUTH_MESSAGES.profileUpdated) };
    },
    changePassword: async ({ body, req, res }) => {
      await auth.changePassword(callerOf(res), body.current_password, body.new_password, requestInfo(req));
      return { status: 200, body: ok(AUTH_MESSAGES.passwordChanged) };
    },
    updateProfile: async ({ body, req, res }) => {
      const who = callerOf(res);
      const fields = body instanceof FormData ? {} : body;
      const picture = pictureFrom(req, 'image');
      await auth.updateProfile(who, fields, picture, requestInfo(req));
      return { status: 200, body: ok(AUTH_MESSAGES.profileUpdated) };
    },
    logout: async ({ body, req, res }) => {
      await auth.logout(callerOf(res), body.refresh_token, requestInfo(req));
      return { status: 200, body: ok(AUTH_MESSAGES.signedOut) };
    },
    logoutAll: async ({ req, res }) => {
      const revoked = await auth.logoutAll(callerOf(res), requestInfo(req));
      return { status: 200, body: { ...ok(AUTH_MESSAGES.signedOutEverywhere), revoked_sessions: revoked } };
    },
    listSessions: async ({ res }) => ({ status: 200, body: await auth.listSessions(callerOf(res)) }),
    revokeSession: async ({ params, req, res }) => {
      await auth.revokeSession(callerOf(res), params.id, requestInfo(req));
      return { status: 204, body: undefined };
    },
    dashboardRedirect: async ({ res }) => ({
      status: 200,
      body: { redirect_url: await auth.dashboardRedirect(callerOf(res)) },
    }),
  });
}
