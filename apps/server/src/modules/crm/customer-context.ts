import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Orm } from '../../db/orm.js';
import { type AuditEntry, type RequestInfo, writeAudit } from '../audit/audit.js';
import type { BlobStore } from '../files/blob-store.js';
import type { AudioService } from './audio.js';
import type { BusinessTime } from './business-time.js';
import type { CustomerViewContext } from './customer-view.js';
import type { NoteService } from './notes.service.js';
import type { StatusService } from './statuses.service.js';

/** What the customer actions need, built once per app (`context.ts`). */
export interface CustomerServiceDeps {
  orm: Orm;
  config: Config;
  logger: Logger;
  time: BusinessTime;
  blobs: BlobStore;
  statuses: StatusService;
  notes: NoteService;
  audio: AudioService;
}

/** What every customer action (one file each: create, read, update, archive, bulk, recordings) works with. */
export interface CustomerContext {
  readonly deps: CustomerServiceDeps;
  /** How customers are rendered: timestamps in the business zone, recordings as signed URLs. */
  readonly view: CustomerViewContext;
  /** A fresh entity manager for one request (its transaction, if any, is its own). */
  em(): EntityManager;
}

/** Writes a CRM audit entry in the caller's transaction. */
export function auditCustomer(em: EntityManager, entry: AuditEntry, info: RequestInfo): Promise<void> {
  // Entries name customers by id only: names, phone numbers and notes stay out of the audit log.
  return writeAudit(em, { module: 'crm', ...entry }, info);
}
