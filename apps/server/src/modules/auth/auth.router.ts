import { contract, PROFILE_IMAGE } from '@cims/contracts';
import { initServer } from '@ts-rest/express';
import type { Request } from 'express';
import type { AppContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import { uploadedFile } from '../../http/multipart.js';
import { requestInfo } from '../../http/request-info.js';
import { sniffImage } from '../files/blob-store.js';

const s = initServer();

const ok = (message: string) => ({ success: true as const, message });

/** The uploaded picture of `field`, checked by its bytes (the declared type is not trusted). */
function pictureFrom(req: Request, field: string): { bytes: Uint8Array; extension: string } | undefined {
  const file = uploadedFile(req, field);
  if (!file) return undefined;
  if (file.size === 0) throw new ApiError('INVALID_FILE', 'The uploaded file is empty');
  const sniffed = sniffImage(file.buffer);
  if (!sniffed || !PROFILE_IMAGE.mediaTypes.includes(sniffed.mediaType)) {
    throw new ApiError('INVALID_FILE', `The picture must be one of ${PROFILE_IMAGE.mediaTypes.join(', ')}`);
  }
  return { bytes: file.buffer, extension: sniffed.extension };
}

export function authRouter(ctx: AppContext) {
  const { auth } = ctx;
  const caller = (req: Pick<Request, 'headers'>) => auth.authenticate(req.headers.authorization);

  return s.router(contract.auth, {
    register: async ({ body, req }) => {
      await auth.register(body, requestInfo(req));
      return { status: 201, body: ok('Account created: we sent a 6-digit code to your e-mail address to verify it') };
    },
    verifyEmail: async ({ body, req }) => ({
      status: 200,
      body: await auth.verifyEmail(body.email, body.code, requestInfo(req)),
    }),
    resendVerification: async ({ body, req }) => {
      await auth.resendVerification(body.email, requestInfo(req));
      return { status: 200, body: ok('If this address has an unverified account, a new code is on its way') };
    },
    forgotPassword: async ({ body, req }) => {
      await auth.forgotPassword(body.email, requestInfo(req));
      return { status: 200, body: ok('If this address has an account, a reset code is on its way') };
    },
    resetPassword: async ({ body, req }) => {
      await auth.resetPassword(body.email, body.code, body.new_password, requestInfo(req));
      return { status: 200, body: ok('Password updated; sign in with the new password') };
    },
    login: async ({ body, req }) => ({
      status: 200,
      body: await auth.login(body.username, body.password, requestInfo(req)),
    }),
    refresh: async ({ body, req }) => ({ status: 200, body: await auth.refresh(body.refresh_token, requestInfo(req)) }),
    me: async ({ req }) => ({ status: 200, body: await auth.me(await caller(req)) }),
    updateProfileImage: async ({ req }) => {
      const who = await caller(req);
      const picture = pictureFrom(req, 'image');
      if (!picture) throw new ApiError('INVALID_FILE', 'Send the picture in the file field "image"');
      await auth.updateProfile(who, {}, picture, requestInfo(req));
      const me = await auth.me(who);
      return { status: 200, body: ok(`Profile picture updated: ${me.profile_image}`) };
    },
    updateProfileInfo: async ({ body, req }) => {
      await auth.updateProfileInfo(await caller(req), body, requestInfo(req));
      return { status: 200, body: ok('Profile updated') };
    },
    changePassword: async ({ body, req }) => {
      await auth.changePassword(await caller(req), body.current_password, body.new_password, requestInfo(req));
      return { status: 200, body: ok('Password updated; your other sessions were ended') };
    },
    updateProfile: async ({ body, req }) => {
      const who = await caller(req);
      const fields = body instanceof FormData ? {} : body;
      const picture = pictureFrom(req, 'image');
      await auth.updateProfile(who, fields, picture, requestInfo(req));
      return { status: 200, body: ok('Profile updated') };
    },
    logout: async ({ body, req }) => {
      await auth.logout(await caller(req), body.refresh_token, requestInfo(req));
      return { status: 200, body: ok('Signed out') };
    },
    logoutAll: async ({ req }) => {
      const revoked = await auth.logoutAll(await caller(req), requestInfo(req));
      return { status: 200, body: { ...ok('Signed out on every device'), revoked_sessions: revoked } };
    },
    listSessions: async ({ req }) => ({ status: 200, body: await auth.listSessions(await caller(req)) }),
    revokeSession: async ({ params, req }) => {
      await auth.revokeSession(await caller(req), params.id, requestInfo(req));
      return { status: 204, body: undefined };
    },
    dashboardRedirect: async ({ req }) => ({
      status: 200,
      body: { redirect_url: await auth.dashboardRedirect(await caller(req)) },
    }),
  });
}
