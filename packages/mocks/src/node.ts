import { type SetupServer, setupServer } from 'msw/node';
import { createMockApi, type MockApi, type MockApiOptions } from './mock-api.js';

/** A mock API intercepting `fetch` in Node (tests, scripts). */
export interface MockServer extends MockApi {
  server: SetupServer;
}

/**
 * Creates an MSW server for Node with every CIMS route mocked. Call `server.listen()` to start intercepting.
 *
 * @example
 * const mocks = createMockServer({ baseUrl: 'http://cims.test' });
 * mocks.server.listen({ onUnhandledRequest: 'error' });
 */
export function createMockServer(options: MockApiOptions): MockServer {
  const api = createMockApi(options);
  return { ...api, server: setupServer(...api.handlers) };
}

export {
  type FakeGraphServer,
  type FakeGraphServerOptions,
  startFakeGraphApi,
} from './graph/fake-graph-server.js';
export { MOCK_INTAKE_API_KEY } from './mock-api.js';
export { MOCK_USERS, SCENARIOS, type Scenario } from './state.js';
export type { MockApi, MockApiOptions };
