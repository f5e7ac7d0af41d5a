export { type DemoCounts, demoFollowersOn, FAKE_GRAPH_DEMO } from './graph/demo-account.js';
export {
  createFakeGraphApi,
  FAKE_GRAPH_SCOPES,
  type FakeGraphAccount,
  type FakeGraphApi,
  type FakeGraphApiOptions,
  type FakeGraphError,
  type FakeGraphRequest,
  type FakeGraphToken,
  GRAPH_SCENARIOS,
  type GraphScenario,
} from './graph/fake-graph-api.js';
export {
  createMockApi,
  MOCK_INTAKE_API_KEY,
  type MockApi,
  type MockApiOptions,
  type MockCrm,
  type MockInstagram,
  type MockMailbox,
  type MockUsers,
} from './mock-api.js';
export type { MockUserInput, MockUserPatch } from './model/auth-model.js';
export type { MockCustomerInput } from './model/crm-model.js';
export type { MockSnapshotInput } from './model/instagram-model.js';
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
  type MockInstagramSnapshot,
  type MockMail,
  type MockUser,
  SCENARIOS,
  type Scenario,
} from './state.js';
