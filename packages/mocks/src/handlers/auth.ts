import { type contract, routeMeta } from '@cims/contracts';
import { HttpResponse, http } from 'msw';
import type { AuthModel } from '../model/auth-model.js';
import { errorResponse, fileMediaType, MockApiError, type MockBeforeHook, type MockRouter } from '../route-handler.js';
import type { MockState } from '../state.js';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** An uploaded picture with the extension of its real type (the route handler already checked the type). */
async function picture(file: File | undefined): Promise<{ file: Blob; extension: string } | undefined> {
  if (!file) return undefined;
  const type = (await fileMediaType(file)) ?? '';
  return { file: new Blob([await file.arrayBuffer()], { type }), extension: EXTENSIONS[type] ?? 'bin' };
}

const ok = (message: string) => ({ status: 200 as const, body: { success: true as const, message } });

/**
 * What the server's middleware does before a route runs: the `rate-limited` scenario's `429` on the public auth
 * routes, authentication of every bearer route (`401 UNAUTHENTICATED` before the body is even read), then the roles
 * the route's metadata allows (`403 FORBIDDEN` for any other role). Enforced here, from the contract, for every
 * route: no implementation checks roles itself.
 */
export function authBeforeHook(state: MockState, model: AuthModel): MockBeforeHook {
  return ({ route, keys, request }) => {
    const { auth, roles } = routeMeta(route);
    if (auth === 'public' && keys[0] === 'auth' && state.scenario === 'rate-limited') {
      throw new MockApiError('RATE_LIMITED', 'Too many attempts; try again later', { 'Retry-After': '60' });
    }
    if (auth !== 'bearer') return undefined;
    const { user } = model.authenticateRequest(request);
    if (roles && !roles.includes(user.role)) {
      throw new MockApiError('FORBIDDEN', `This needs one of the roles ${roles.join(', ')}`);
    }
    return undefined;
  };
}

/** The `/auth` routes over the auth model. */
export function authMocks(model: AuthModel): MockRouter<typeof contract.auth> {
  const me = (request: Request) => model.principal(request);
  return {
    register: ({ body }) => ({ status: 201, body: { success: true, message: model.register(body) } }),
    verifyEmail: ({ body, request }) => ({ status: 200, body: model.verifyEmail(body.email, body.code, request) }),
    resendVerification: ({ body }) => ok(model.resendVerification(body.email)),
    forgotPassword: ({ body }) => ok(model.forgotPassword(body.email)),
    resetPassword: ({ body }) => ok(model.resetPassword(body.email, body.code, body.new_password)),
    login: ({ body, request }) => ({ status: 200, body: model.login(body.username, body.password, request) }),
    refresh: ({ body }) => ({ status: 200, body: model.refresh(body.refresh_token) }),
    me: ({ request }) => ({ status: 200, body: model.me(me(request).user) }),
    updateProfileImage: async ({ files, request }) => {
      const image = await picture(files.image);
      if (!image) throw new MockApiError('INVALID_FILE', 'Send the picture in the file field "image"');
      return ok(`Profile picture updated: ${model.setProfileImage(me(request).user, image)}`);
    },
    updateProfileInfo: ({ body, request }) => ok(model.updateProfileInfo(me(request).user, body)),
    changePassword: ({ body, request }) =>
      ok(model.changePassword(me(request), body.current_password, body.new_password)),
    updateProfile: async ({ body, files, request }) =>
      ok(model.updateProfile(me(request), body, await picture(files.image))),
    logout: ({ body, request }) => {
      model.logout(me(request), body.refresh_token);
      return ok('Signed out');
    },
    logoutAll: ({ request }) => {
      const revoked = model.logoutAll(me(request));
      return {
        status: 200,
        body: { success: true, message: 'Signed out on every device', revoked_sessions: revoked },
      };
    },
    listSessions: ({ request }) => ({ status: 200, body: model.listSessions(me(request)) }),
    revokeSession: ({ params, request }) => {
      model.revokeSession(me(request), params.id);
      return { status: 204, body: undefined };
    },
    dashboardRedirect: ({ request }) => ({
      status: 200,
      body: { redirect_url: model.dashboardRedirect(me(request).user) },
    }),
  };
}

/** Serves uploaded pictures at the URL path stored in `profile_image`, so an app under test can show them. */
export function mediaHandler(baseUrl: string, state: MockState) {
  const base = baseUrl.replace(/\/+$/, '');
  return http.get(`${base}/media/profile-images/:name`, ({ request }) => {
    const path = new URL(request.url).pathname.slice(new URL(`${base}/`).pathname.length - 1);
    const file = state.files.get(path);
    if (!file) return errorResponse('NOT_FOUND', 'Not Found');
    return new HttpResponse(file, {
      status: 200,
      headers: { 'Content-Type': file.type || 'application/octet-stream' },
    });
  });
}
