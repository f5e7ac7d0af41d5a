import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../crypto/token-cipher.js';
import type { LegacySource } from './legacy-source.js';
import type { Progress } from './progress.js';
import type { ReportBuilder } from './report.js';

/** What every import step works with. */
export interface StepContext {
  source: LegacySource;
  /** The target database, inside the import's one transaction. */
  em: EntityManager;
  report: ReportBuilder;
  progress: Progress;
  /** The legacy Fernet key. */
  fernetKey: Buffer;
  cipher: TokenCipher;
  /** The moment the import started: sessions expiring before it are left out. */
  now: Date;
  /** Rows per statement for the big tables. */
  batchSize: number;
  /** The highest id of each legacy table whose ids the import keeps, by target table (see `SEQUENCED`). */
  legacyMax: Record<string, number>;
  /** The region of phone numbers without a country code (`DEFAULT_PHONE_REGION`). */
  phoneRegion: string;
  /** What has been imported so far, for the references of later steps (ids and names only). */
  imported: {
    users: Set<number>;
    customers: Set<number>;
    /** Status names as stored here. */
    statuses: Set<string>;
    /** Legacy page name (trimmed, lower-cased) → page name here. */
    pages: Map<string, string>;
    /** Legacy role name → role name here. */
    roles: Map<string, string>;
  };
}

/** A text for a report: the value cut to `max` characters, quoted. */
export const quoted = (value: unknown, max = 60) => {
  const text = String(value);
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
};

/** A legacy column's value as text, NULL as null. */
export const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
