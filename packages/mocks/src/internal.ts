/**
 * `@cims/mocks/internal`: the mocks' storage, the record types behind `MockApi.state`, for tests and tools that read
 * or persist the raw records. Not a stable API: these shapes follow the in-memory model and may change in any
 * release; the controls of `MockApi` (`users`, `crm`, `mailbox`, `instagram`, `reset`) are the stable way in.
 */
export type {
  MockAssignment,
  MockCredentials,
  MockCrmState,
  MockCustomer,
  MockInstagramAccount,
  MockInstagramError,
  MockInstagramState,
  MockNote,
  MockPage,
  MockRecording,
  MockRole,
  MockSession,
  MockState,
  MockStatus,
  MockStatusChange,
} from './state.js';
