import { contract } from '@cims/contracts';
import type { HttpHandler } from 'msw';
import { healthMocks } from './handlers/health.js';
import { createRouteHandlers } from './route-handler.js';
import { createState, type MockState, SCENARIOS, type Scenario } from './state.js';

/** Options of {@link createMockApi}. */
export interface MockApiOptions {
  /**
   * The base URL the SDK or app under test uses, e.g. `http://cims.test` in Node or `/api` in a browser app.
   * Requests outside it are not handled.
   */
  baseUrl: string;
  /** The situation to start in. @default 'healthy' */
  scenario?: Scenario;
}

/** A stateful mock of the whole API: MSW handlers plus the controls QA needs. */
export interface MockApi {
  /** One MSW handler per contract route, then a catch-all for unknown routes under `baseUrl`. */
  handlers: HttpHandler[];
  /** The in-memory state the handlers read and write. */
  state: MockState;
  /** Switches the situation the mocks act out; takes effect on the next request. */
  useScenario(scenario: Scenario): void;
}

/**
 * Builds MSW handlers for every route of the CIMS contract, backed by one in-memory state.
 *
 * @example
 * const mocks = createMockApi({ baseUrl: 'http://cims.test' });
 * const server = setupServer(...mocks.handlers);
 */
export function createMockApi(options: MockApiOptions): MockApi {
  const state = createState(options.scenario ?? 'healthy');
  const handlers = createRouteHandlers(contract, { health: healthMocks(state) }, options.baseUrl);
  return {
    handlers,
    state,
    useScenario(scenario) {
      if (!SCENARIOS.includes(scenario))
        throw new Error(`Unknown scenario "${scenario}"; use one of ${SCENARIOS.join(', ')}`);
      state.scenario = scenario;
    },
  };
}
