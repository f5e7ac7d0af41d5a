import { z } from 'zod';
import { FIELD_REQUIRED } from '../errors/validation-issues.js';
import type { Named } from '../shared/named.js';
import { IdSchema, TimestampSchema } from '../shared/shared.schemas.js';

/** The roles of CIMS, spelled as the client compares them. Authorization decisions use these. */
export const ROLES = ['CEO', 'Member', 'Customer', 'SalesManager', 'Finance', 'Admin'] as const;

/** A user's role. */
export const RoleSchema = z.enum(ROLES).describe('The user’s role.');
export type Role = z.infer<typeof RoleSchema>;

/** Legacy spellings accepted on input, normalized to {@link ROLES}. */
const ROLE_ALIASES: Record<string, Role> = {
  ceo: 'CEO',
  member: 'Member',
  customer: 'Customer',
  salesmanager: 'SalesManager',
  sales_manager: 'SalesManager',
  'sales manager': 'SalesManager',
  finance: 'Finance',
  financial_director: 'Finance',
  'financial director': 'Finance',
  admin: 'Admin',
  general_manager: 'Admin',
  'general manager': 'Admin',
};

/** Turns a role as written by any client (`Sales Manager`, `sales_manager`, `SalesManager`) into a {@link Role}. */
export function normalizeRole(value: string): Role | undefined {
  return ROLE_ALIASES[value.trim().toLowerCase()];
}

/** A role on input: the canonical names or a legacy spelling. */
export const RoleInputSchema = z
  .string()
  .transform((value, ctx) => {
    const role = normalizeRole(value);
    if (role) return role;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Input should be one of ${ROLES.join(', ')}` });
    return z.NEVER;
  })
  .describe(`One of ${ROLES.join(', ')}; legacy spellings such as "Sales Manager" are accepted.`);

/** An e-mail address; compared case-insensitively, stored trimmed and lower-cased. */
export const EmailSchema = z.string().trim().toLowerCase().max(255).email('Input should be a valid e-mail address');

/** A new password: 8 to 72 bytes (bcrypt reads no further), not only spaces. */
export const NewPasswordSchema = z
  .string()
  .min(8, 'Password should have at least 8 characters')
  .refine((value) => new TextEncoder().encode(value).length <= 72, 'Password should have at most 72 bytes')
  .refine((value) => value.trim().length > 0, 'Password should not be blank')
  .describe('8 to 72 bytes.');

/** A person's name part: trimmed, 1 to 255 characters. */
const NameSchema = z.string().trim().min(1, 'Should not be empty').max(255);

/** A 6-digit verification or reset code, as typed (spaces ignored). */
export const CodeSchema = z
  .string()
  .transform((value) => value.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'The code has 6 digits'))
  .describe('The 6-digit code from the e-mail.');

const authMessageSchema = z
  .object({ success: z.literal(true), message: z.string() })
  .describe('The request succeeded; `message` says what happened.');
export interface AuthMessageSchema extends Named<typeof authMessageSchema> {}
/** The legacy success body of the auth routes. */
export const AuthMessageSchema: AuthMessageSchema = authMessageSchema;

const registerSchema = z.object({
  email: EmailSchema,
  name: NameSchema,
  surname: NameSchema,
  password: NewPasswordSchema,
  company_code: z.string().optional().describe('Accepted for compatibility; ignored.'),
  role: z.string().optional().describe('Accepted for compatibility; ignored: new users get the lowest role.'),
  telegram_id: z.string().trim().max(50).optional(),
  job_title: z.string().trim().max(100).optional(),
});
export interface RegisterSchema extends Named<typeof registerSchema> {}
/** `POST /auth/register` body. `role` and `company_code` are accepted for compatibility and never grant anything. */
export const RegisterSchema: RegisterSchema = registerSchema;

const loginFormSchema = z.object({
  username: EmailSchema.describe('The e-mail address.'),
  password: z.string().min(1, FIELD_REQUIRED).max(1024),
  // An empty value counts as not sent, as before. Declared as the one value it can take, with that value as its
  // default, so that forms generated from the document (Swagger UI's "Try it out") send `password`.
  grant_type: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.enum(['password'], { message: 'grant_type must be "password"' }).default('password'),
  ) as unknown as z.ZodDefault<z.ZodEnum<['password']>>,
  scope: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});
export interface LoginFormSchema extends Named<typeof loginFormSchema> {}
/** The OAuth2 password form of `POST /auth/login` (`application/x-www-form-urlencoded`). */
export const LoginFormSchema: LoginFormSchema = loginFormSchema;

const tokenPairSchema = z
  .object({
    access_token: z.string().describe('A JWT for `Authorization: Bearer …`.'),
    refresh_token: z.string().describe('Opaque; spend it at `POST /auth/refresh` for a new pair. Single use.'),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().positive().describe('Lifetime of the access token, in seconds.'),
  })
  .describe('A new session’s tokens.');
export interface TokenPairSchema extends Named<typeof tokenPairSchema> {}
/** An access and refresh token pair. */
export const TokenPairSchema: TokenPairSchema = tokenPairSchema;

const emailOnlySchema = z.object({ email: EmailSchema });
export interface EmailOnlySchema extends Named<typeof emailOnlySchema> {}
export const EmailOnlySchema: EmailOnlySchema = emailOnlySchema;
const verifyEmailSchema = z.object({ email: EmailSchema, code: CodeSchema });
export interface VerifyEmailSchema extends Named<typeof verifyEmailSchema> {}
export const VerifyEmailSchema: VerifyEmailSchema = verifyEmailSchema;
const resetPasswordSchema = z.object({ email: EmailSchema, code: CodeSchema, new_password: NewPasswordSchema });
export interface ResetPasswordSchema extends Named<typeof resetPasswordSchema> {}
export const ResetPasswordSchema: ResetPasswordSchema = resetPasswordSchema;
const refreshSchema = z.object({ refresh_token: z.string().min(1).max(512) });
export interface RefreshSchema extends Named<typeof refreshSchema> {}
export const RefreshSchema: RefreshSchema = refreshSchema;
const logoutSchema = z.object({
  refresh_token: z
    .string()
    .max(512)
    .optional()
    .describe('The session to end; without it, the session of the access token.'),
});
export interface LogoutSchema extends Named<typeof logoutSchema> {}
export const LogoutSchema: LogoutSchema = logoutSchema;

const userBaseSchema = z.object({
  id: IdSchema,
  email: z.string(),
  name: z.string(),
  surname: z.string(),
  role: RoleSchema,
  profile_image: z.string().nullable().describe('A URL path of the picture, or null.'),
  job_title: z.string().nullable(),
  company_code: z.string(),
  telegram_id: z.string().nullable(),
  is_active: z.boolean(),
  email_verified: z.boolean(),
  created_at: TimestampSchema,
});
export interface UserBaseSchema extends Named<typeof userBaseSchema> {}
/** What every view of a user shares (never the password hash). */
export const UserBaseSchema: UserBaseSchema = userBaseSchema;

const meSchema = UserBaseSchema.extend({
  permissions: z.record(z.string(), z.boolean()).describe('Every page key → whether the user may open it. Never null.'),
}).describe('The signed-in user.');
export interface MeSchema extends Named<typeof meSchema> {}
/** The signed-in user, as `GET /auth/me` returns it. */
export const MeSchema: MeSchema = meSchema;

const profileInfoSchema = z.object({ name: NameSchema.optional(), surname: NameSchema.optional() });
export interface ProfileInfoSchema extends Named<typeof profileInfoSchema> {}
export const ProfileInfoSchema: ProfileInfoSchema = profileInfoSchema;
const changePasswordSchema = z.object({
  current_password: z.string().min(1, FIELD_REQUIRED),
  new_password: NewPasswordSchema,
});
export interface ChangePasswordSchema extends Named<typeof changePasswordSchema> {}
export const ChangePasswordSchema: ChangePasswordSchema = changePasswordSchema;

const profileFormSchema = z
  .object({
    name: NameSchema.optional(),
    surname: NameSchema.optional(),
    current_password: z.string().min(1).optional(),
    new_password: NewPasswordSchema.optional(),
  })
  .superRefine((value, ctx) => {
    // The password changes only with both fields; one alone is a mistake worth reporting, not ignoring.
    if ((value.current_password === undefined) !== (value.new_password === undefined)) {
      const missing = value.current_password === undefined ? 'current_password' : 'new_password';
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [missing],
        message: 'Send current_password and new_password together',
      });
    }
  });
export interface ProfileFormSchema extends Named<typeof profileFormSchema> {}
/** The text parts of `PATCH /auth/me/profile` (multipart); the picture is the file part `image`. */
export const ProfileFormSchema: ProfileFormSchema = profileFormSchema;

const sessionSchema = z
  .object({
    id: IdSchema,
    user_agent: z.string().nullable(),
    ip_address: z.string().nullable(),
    created_at: TimestampSchema,
    last_used_at: TimestampSchema,
    expires_at: TimestampSchema.describe(
      'When the session ends unless its refresh token is rotated first; each rotation moves it forward, but never ' +
        'past the maximum lifetime counted from `created_at`.',
    ),
    current: z.boolean().describe('Whether this is the session of the access token used for this request.'),
  })
  .describe('A session: one login on one device.');
export interface SessionSchema extends Named<typeof sessionSchema> {}
/** One signed-in device. */
export const SessionSchema: SessionSchema = sessionSchema;

const logoutAllResultSchema = AuthMessageSchema.extend({
  revoked_sessions: z.number().int().min(0).describe('How many sessions were ended.'),
});
export interface LogoutAllResultSchema extends Named<typeof logoutAllResultSchema> {}
export const LogoutAllResultSchema: LogoutAllResultSchema = logoutAllResultSchema;

const dashboardRedirectSchema = z.object({ redirect_url: z.string() });
export interface DashboardRedirectSchema extends Named<typeof dashboardRedirectSchema> {}
export const DashboardRedirectSchema: DashboardRedirectSchema = dashboardRedirectSchema;

export type Me = z.infer<typeof MeSchema>;
export type UserBase = z.infer<typeof UserBaseSchema>;
export type RegisterInput = z.infer<typeof RegisterSchema>;
export type ProfileForm = z.infer<typeof ProfileFormSchema>;
export type TokenPair = z.infer<typeof TokenPairSchema>;
export type Session = z.infer<typeof SessionSchema>;
