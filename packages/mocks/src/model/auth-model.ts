import type { MockState } from '../state.js';
import { createAuthCore } from './auth/core.js';
import { authProfile } from './auth/profile.js';
import { authSessions } from './auth/sessions.js';
import { authSignUp } from './auth/sign-up.js';
import type { AuthModelOptions } from './auth/types.js';

export type { AuthModelOptions, MockUserInput, MockUserPatch, Principal } from './auth/types.js';

/**
 * The auth rules of the reference server over the mocks' in-memory state: accounts, one-time codes, sessions with
 * rotating refresh tokens, and the signed-in user's profile. Handlers stay thin: they parse (the contract did it),
 * call one of these, and map the result. Failures are thrown as {@link MockApiError}.
 */
export function createAuthModel(state: MockState, options: AuthModelOptions) {
  const core = createAuthCore(state, options);
  return {
    options,
    findUser: core.findUser,
    authenticateRequest: core.authenticateRequest,
    principal: core.principal,
    addUser: core.addUser,
    removeUser: core.removeUser,
    setProfileImage: core.setProfileImage,
    /** Ends every live session of a user (a new password, deactivation); returns how many. */
    endSessions: (userId: number, reason: string) => core.revokeAll(userId, reason),
    ...authSignUp(core),
    ...authSessions(core),
    ...authProfile(core),
  };
}

/** The auth model of one mock API. */
export type AuthModel = ReturnType<typeof createAuthModel>;
