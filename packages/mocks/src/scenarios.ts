/**
 * The situations the mock API can act out. QA switches between them at run time (`mocks.useScenario(...)`):
 * - `healthy`: everything works;
 * - `database-down`: the readiness probe reports the database unreachable (`503`);
 * - `refresh-fails`: every `POST /auth/refresh` answers `401 REFRESH_TOKEN_INVALID`, as when a session has ended;
 * - `rate-limited`: every public auth route answers `429 RATE_LIMITED` with `Retry-After: 60`;
 * - `registration-closed`: `POST /auth/register` answers `403 REGISTRATION_CLOSED`, like a server with
 *   `REGISTRATION_OPEN=false`;
 * - `empty-crm`: the CRM has no customers (nor notes, history, assignments or recordings); the statuses stay. A mock
 *   API started in it (or reset to it) seeds no customers; switching to it empties the CRM at once, and switching
 *   away does not bring the customers back (`reset()` does);
 * - `no-sales-managers`: the CRM sees no active sales manager: new customers stay unassigned,
 *   `GET /crm/sales-managers` is empty and assigning answers `404`. Existing assignments stay.
 * - `instagram-not-connected`: no Instagram account is connected (`GET /instagram/account` answers
 *   `connected: false`, the other `/instagram` routes but setup `404 INSTAGRAM_NOT_CONNECTED`). A mock API started in it
 *   has no follower history either; switching to it disconnects the account and keeps its history.
 * - `instagram-reconnect-required`: the demo account is connected with its history, but its stored token has expired
 *   (the fake Graph API answers code 190): the account shows `reconnect_required` with the last error, and
 *   `POST /instagram/sync` answers `409 INSTAGRAM_RECONNECT_REQUIRED` until `/instagram/setup` runs again with a valid
 *   token (`FAKE_GRAPH_DEMO.token`).
 *
 * In every other scenario the demo Instagram account (`FAKE_GRAPH_DEMO`) is connected with about 400 days of follower
 * history ending yesterday. The Graph API's own failures are the fake Graph API's scenarios (`mocks.graph`).
 */
export const SCENARIOS = [
  'healthy',
  'database-down',
  'refresh-fails',
  'rate-limited',
  'registration-closed',
  'empty-crm',
  'no-sales-managers',
  'instagram-not-connected',
  'instagram-reconnect-required',
] as const;

/** A named situation of the mock API; see {@link SCENARIOS}. */
export type Scenario = (typeof SCENARIOS)[number];
