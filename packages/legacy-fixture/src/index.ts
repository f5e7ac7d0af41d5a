export type {
  LegacyAudioFile,
  LegacyAuditFact,
  LegacyBrokenCustomerFact,
  LegacyCustomerFact,
  LegacyCustomerStatus,
  LegacyFacts,
  LegacyImageFact,
  LegacyInstagramSnapshot,
  LegacyLanguage,
  LegacyNoteFact,
  LegacyRefreshTokenFact,
  LegacyRole,
  LegacyTable,
  LegacyUserFact,
} from './facts.js';
export type {
  FakeTelegramBotApi,
  FakeTelegramFile,
  FakeTelegramOptions,
  FakeTelegramRequest,
} from './fake-telegram.js';
export { startFakeTelegramBotApi } from './fake-telegram.js';
export { deriveLegacyFernetKey, LEGACY_FERNET_ITERATIONS, LEGACY_FERNET_SALT } from './legacy-crypto.js';
export type { LegacyDatabase, LegacyDatabaseOptions } from './legacy-database.js';
export { createLegacyDatabase, legacySchemaSql } from './legacy-database.js';
