import { AccountService } from './accounts.service.js';
import { AuthCore, type AuthServiceDeps } from './auth-core.js';
import { VerificationCodes } from './codes.js';
import { PasswordResetService } from './password-reset.service.js';
import { ProfileService } from './profile.service.js';
import { RequestAuthService } from './request-auth.service.js';
import { SessionService } from './sessions.service.js';
import { SignInService } from './sign-in.service.js';
import { SignUpService } from './sign-up.service.js';

/** Accounts, sessions and tokens: one service per topic, over one shared {@link AuthCore}. */
export interface AuthServices {
  /** The shared steps and dependencies; `core.idle()` waits for the work queued after earlier answers. */
  core: AuthCore;
  /** Accounts made outside a request (CLI, bootstrap, demo data) and the housekeeping. */
  accounts: AccountService;
  signUp: SignUpService;
  passwordReset: PasswordResetService;
  signIn: SignInService;
  sessions: SessionService;
  profile: ProfileService;
  /** What the request pipeline asks: the caller of a bearer token, its pages, the intake key. */
  requests: RequestAuthService;
}

/** Builds the auth services of one app. */
export function createAuthServices(deps: AuthServiceDeps): AuthServices {
  const core = new AuthCore(deps);
  const codes = new VerificationCodes(core);
  const accounts = new AccountService(core);
  return {
    core,
    accounts,
    signUp: new SignUpService(core, codes, accounts),
    passwordReset: new PasswordResetService(core, codes),
    signIn: new SignInService(core),
    sessions: new SessionService(core),
    profile: new ProfileService(core),
    requests: new RequestAuthService(core),
  };
}
