/**
 * The situations the mock API can act out. QA switches between them at run time (`mocks.useScenario(...)`):
 * - `healthy`: everything works;
 * - `database-down`: the readiness probe reports the database unreachable (`503`).
 */
export const SCENARIOS = ['healthy', 'database-down'] as const;

/** A named situation of the mock API; see {@link SCENARIOS}. */
export type Scenario = (typeof SCENARIOS)[number];

/** The in-memory world behind the mock handlers. One per {@link createMockApi} call; handlers share it. */
export interface MockState {
  scenario: Scenario;
  /** When the mock API was created, for the liveness probe's uptime. */
  startedAt: number;
}

export function createState(scenario: Scenario): MockState {
  return { scenario, startedAt: Date.now() };
}
