import { type SetupWorker, setupWorker } from 'msw/browser';
import { createMockApi, type MockApi, type MockApiOptions } from './mock-api.js';

/** A mock API intercepting `fetch` in the browser through a service worker. */
export interface MockWorker extends MockApi {
  worker: SetupWorker;
}

/**
 * Creates an MSW service worker with every CIMS route mocked. The app must serve MSW's worker script
 * (`npx msw init public`); then call `await worker.start()` before the first request.
 *
 * @example
 * const mocks = createMockWorker({ baseUrl: '/api' });
 * await mocks.worker.start({ onUnhandledRequest: 'bypass' });
 */
export function createMockWorker(options: MockApiOptions): MockWorker {
  const api = createMockApi(options);
  return { ...api, worker: setupWorker(...api.handlers) };
}

export { MOCK_INTAKE_API_KEY } from './mock-api.js';
export { MOCK_USERS, SCENARIOS, type Scenario } from './state.js';
export type { MockApi, MockApiOptions };
