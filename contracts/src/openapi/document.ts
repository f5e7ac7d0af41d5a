import pkg from '../../package.json' with { type: 'json' };
import { AuthMessageSchema, MeSchema, SessionSchema, TokenPairSchema } from '../auth/auth.schemas.js';
import { AdminUserSchema } from '../ceo/ceo.schemas.js';
import { contract } from '../contract.js';
import {
  CustomerDetailSchema,
  CustomerNoteSchema,
  CustomerSchema,
  StatusChangeSchema,
} from '../crm/customers.schemas.js';
import {
  CrmStatsSchema,
  DashboardSchema,
  ManagerRefSchema,
  PeriodStatsSchema,
  SalesManagerSchema,
  StatusCountsSchema,
  StatusPercentagesSchema,
} from '../crm/stats.schemas.js';
import {
  CustomerStatusSchema,
  DynamicStatusSchema,
  StatusCategorySchema,
  StatusInUseErrorSchema,
} from '../crm/statuses.schemas.js';
import { LivenessSchema, ReadinessCheckSchema, ReadinessSchema } from '../health/health.schemas.js';
import { GrowthWindowSchema, InstagramAccountSchema, InstagramGrowthSchema } from '../instagram/instagram.schemas.js';
import { ManagedRoleSchema, MessageSchema, PageSchema } from '../management/management.schemas.js';
import { buildOpenApiDocument } from './build-openapi.js';

/** The CIMS API's OpenAPI 3.1 document, as committed in `contracts/openapi.json`. */
export function createOpenApiDocument() {
  return buildOpenApiDocument(contract, {
    title: 'CIMS API',
    version: pkg.version,
    description: [
      "The API of CIMS, the company's CRM and management system: authentication, customers and their statuses,",
      'notes, sales managers, statistics, user administration and Instagram growth.',
      '',
      'Errors always have the shape `{ "detail": "<message>", "code": "<CODE>" }`; validation errors (`422`) carry a',
      'FastAPI-style list: `{ "detail": [{ "loc": [...], "msg": "...", "type": "..." }], "code": "VALIDATION_FAILED" }`.',
      'Every response carries an `X-Request-ID` header.',
    ].join('\n'),
    components: {
      AdminUser: AdminUserSchema,
      CrmStats: CrmStatsSchema,
      Customer: CustomerSchema,
      CustomerDetail: CustomerDetailSchema,
      CustomerNote: CustomerNoteSchema,
      CustomerStatus: CustomerStatusSchema,
      Dashboard: DashboardSchema,
      DynamicStatus: DynamicStatusSchema,
      ManagerRef: ManagerRefSchema,
      PeriodStats: PeriodStatsSchema,
      SalesManager: SalesManagerSchema,
      // Named, so that generators that name inline enums after their property (orval) make one type, not two.
      StatusCategory: StatusCategorySchema,
      StatusChange: StatusChangeSchema,
      StatusCounts: StatusCountsSchema,
      StatusInUseError: StatusInUseErrorSchema,
      StatusPercentages: StatusPercentagesSchema,
      AuthMessage: AuthMessageSchema,
      ManagedRole: ManagedRoleSchema,
      Message: MessageSchema,
      Page: PageSchema,
      Me: MeSchema,
      Session: SessionSchema,
      TokenPair: TokenPairSchema,
      GrowthWindow: GrowthWindowSchema,
      InstagramAccount: InstagramAccountSchema,
      InstagramGrowth: InstagramGrowthSchema,
      Liveness: LivenessSchema,
      Readiness: ReadinessSchema,
      ReadinessCheck: ReadinessCheckSchema,
    },
    tokenUrl: contract.auth.login.path,
    tags: {
      health: 'Liveness and readiness probes.',
      auth: 'Sign-up, sign-in, sessions with refresh-token rotation, and the signed-in user’s profile.',
      ceo: 'User and page-permission administration (CEO only).',
      management: 'Customer statuses, pages and roles (changes: CEO only).',
      crm: 'Customers, notes, statuses, archive, sales-manager assignment and CRM statistics.',
      sales: 'Lead statistics for the dashboard charts.',
      instagram: 'Instagram follower growth: the connected account, daily snapshots, growth and history (CEO only).',
    },
  });
}

/** The document as the exact text committed to the repository. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(createOpenApiDocument(), null, 2)}\n`;
}
