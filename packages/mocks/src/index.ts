export { createMockApi, type MockApi, type MockApiOptions } from './mock-api.js';
export {
  createRouteHandlers,
  errorResponse,
  MockDriftError,
  type MockRequest,
  type MockRouteImplementation,
  type MockRouter,
} from './route-handler.js';
export { type MockState, SCENARIOS, type Scenario } from './state.js';
