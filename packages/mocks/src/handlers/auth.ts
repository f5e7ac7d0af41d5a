import { type contract, type RouteMeta, routeMeta } from '@cims/contracts';
import {
  AUTH_MESSAGES,
  COMMON_MESSAGES,
  CRM_MESSAGES,
  FILE_MESSAGES,
  forbiddenMessage,
  routeAccess,
} from '@cims/contracts/rules';
import { HttpResponse, http } from 'msw';
import type { AuthModel } from '../model/auth-model.js';
import { pageNamed } from '../model/pages.js';
import type { UrlSigner } from '../model/signed-urls.js';
import { errorResponse, fileMediaType, MockApiError, type MockBeforeHook, type MockRouter } from '../route-handler.js';
import type { MockState, MockUser } from '../state.js';

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

/** How the `before` hook checks the credentials that are not access tokens. */
export interface AuthHookOptions {
  /** The intake key `apiKey` routes expect in `X-Key`; `null`: the server has none (`503`). */
  intakeApiKey: string | null;
  /** Checks the `expires` and `sig` of a signed URL for the resource it names. */
  signer: UrlSigner;
}

/**
 * Whether `user` may call a route, by the contract's `routeAccess` (the server's rule): where the pages decide, an
 * inactive page grants nothing (`GET /auth/me` no longer lists it either).
 */
function allowed(state: MockState, user: MockUser, meta: Pick<RouteMeta, 'roles' | 'pages'>): boolean {
  const access = routeAccess(meta, user.role);
  if (access !== 'pages') return access === 'allow';
  return (meta.pages ?? []).some((page) => user.pages.has(page) && pageNamed(state, page)?.is_active === true);
}

/**
 * What the server's middleware does before a route runs: the `rate-limited` scenario's `429` on the public auth
 * routes, then the credentials the route's metadata asks for, before the body is even read:
 * - `bearer`: an access token (`401 UNAUTHENTICATED`), then `roles` OR `pages` (`403 FORBIDDEN` for anyone else);
 * - `apiKey`: the intake key in `X-Key` (`503 SERVICE_UNAVAILABLE` when the mocks have none, `401 INVALID_API_KEY`
 *   when it is missing or wrong);
 * - `signedUrl`: with an `Authorization` header, as `bearer`; without one, the `expires` and `sig` of the query must
 *   sign the resource the URL names (its last path segment): without both → `401`, wrong or expired → `403
 *   INVALID_SIGNATURE`.
 * Enforced here, from the contract, for every route: no implementation checks roles itself.
 */
export function authBeforeHook(state: MockState, model: AuthModel, options: AuthHookOptions): MockBeforeHook {
  return ({ route, keys, request }) => {
    const meta = routeMeta(route);
    const { auth } = meta;
    switch (auth) {
      case 'public':
        if (keys[0] === 'auth' && state.scenario === 'rate-limited') {
          throw new MockApiError('RATE_LIMITED', COMMON_MESSAGES.tooManyAttempts, { 'Retry-After': '60' });
        }
        return undefined;
      case 'apiKey':
        if (options.intakeApiKey === null) {
          throw new MockApiError('SERVICE_UNAVAILABLE', CRM_MESSAGES.intakeDisabled);
        }
        if (request.headers.get('x-key') !== options.intakeApiKey) {
          throw new MockApiError('INVALID_API_KEY', CRM_MESSAGES.intakeKeyRejected);
        }
        return undefined;
      case 'signedUrl': {
        if (request.headers.has('authorization')) break;
        const url = new URL(request.url);
        const expires = url.searchParams.get('expires');
        const sig = url.searchParams.get('sig');
        if (expires === null || sig === null) {
          throw new MockApiError('UNAUTHENTICATED', COMMON_MESSAGES.notAuthenticated, { 'WWW-Authenticate': 'Bearer' });
        }
        const subject = decodeURIComponent(url.pathname.split('/').at(-1) ?? '');
        const check = options.signer.check(subject, expires, sig);
        if (check === 'expired') throw new MockApiError('INVALID_SIGNATURE', CRM_MESSAGES.recordingLinkExpired);
        if (check === 'invalid') throw new MockApiError('INVALID_SIGNATURE', CRM_MESSAGES.recordingLinkInvalid);
        return undefined;
      }
      case 'bearer':
        break;
      default: {
        const unknown: never = auth;
        throw new Error(`Unknown route auth ${String(unknown)}`);
      }
    }
    const { user } = model.authenticateRequest(request);
    if (!allowed(state, user, meta)) throw new MockApiError('FORBIDDEN', forbiddenMessage(meta));
    return undefined;
  };
}

/** The `/auth` routes over the auth model. */
export function authMocks(model: AuthModel): MockRouter<typeof contract.auth> {
  const me = (request: Request) => model.principal(request);
  return {
    register: ({ body }) => ({ status: 201, body: { success: true, message: model.register(body) } }),
    verifyEmail: ({ body, request }) => ({ status: 200, body: model.verifyEmail(request, body) }),
    resendVerification: ({ body }) => ok(model.resendVerification(body.email)),
    forgotPassword: ({ body }) => ok(model.forgotPassword(body.email)),
    resetPassword: ({ body }) => ok(model.resetPassword(body)),
    login: ({ body, request }) => ({
      status: 200,
      body: model.login(request, { email: body.username, password: body.password }),
    }),
    refresh: ({ body }) => ({ status: 200, body: model.refresh(body.refresh_token) }),
    me: ({ request }) => ({ status: 200, body: model.me(me(request).user) }),
    updateProfileImage: async ({ files, request }) => {
      const image = await picture(files.image);
      if (!image) throw new MockApiError('INVALID_FILE', FILE_MESSAGES.pictureMissing('image'));
      return ok(AUTH_MESSAGES.profilePictureUpdated(model.setProfileImage(me(request).user, image)));
    },
    updateProfileInfo: ({ body, request }) => ok(model.updateProfileInfo(me(request).user, body)),
    changePassword: ({ body, request }) => ok(model.changePassword(me(request), body)),
    updateProfile: async ({ body, files, request }) =>
      ok(model.updateProfile(me(request), { ...body, image: await picture(files.image) })),
    logout: ({ body, request }) => {
      model.logout(me(request), body.refresh_token);
      return ok(AUTH_MESSAGES.signedOut);
    },
    logoutAll: ({ request }) => {
      const revoked = model.logoutAll(me(request));
      return {
        status: 200,
        body: { success: true, message: AUTH_MESSAGES.signedOutEverywhere, revoked_sessions: revoked },
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
    if (!file) return errorResponse('NOT_FOUND', COMMON_MESSAGES.notFound);
    return new HttpResponse(file, {
      status: 200,
      headers: { 'Content-Type': file.type || 'application/octet-stream' },
    });
  });
}
