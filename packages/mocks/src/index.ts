export {
  createMockApi,
  type MockApi,
  type MockApiOptions,
  type MockMailbox,
  type MockUsers,
} from './mock-api.js';
export type { MockUserInput, MockUserPatch } from './model/auth-model.js';
export { PAGE_KEYS, type PageKey } from './model/pages.js';
export {
  createRouteHandlers,
  errorResponse,
  MockApiError,
  type MockBeforeHook,
  MockDriftError,
  type MockRequest,
  type MockResponse,
  type MockRouteImplementation,
  type MockRouter,
  type RouteHandlerOptions,
} from './route-handler.js';
export {
  MOCK_USERS,
  type MockCredentials,
  type MockMail,
  type MockPage,
  type MockRole,
  type MockSession,
  type MockState,
  type MockUser,
  SCENARIOS,
  type Scenario,
} from './state.js';
