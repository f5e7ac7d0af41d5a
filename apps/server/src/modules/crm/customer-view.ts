import {
  type Customer,
  type CustomerNote,
  type CustomerType,
  INSTANT_RANGE,
  type Language,
  type PriorityLevel,
  type StatusCategory,
} from '@cims/contracts';
import { asDate, asDateOrNull, asInt, type Row } from '../../db/sql.js';
import type { BusinessTime } from './business-time.js';

/**
 * The tables behind {@link toCustomer}: the customer `c`, its status `s`, its assignment `a` and manager `m`. Use as
 * `select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM} where …`.
 */
export const CUSTOMER_FROM = `customer c
  join customer_status s on s.name = c.status
  left join sales_manager_assignment a on a.customer_id = c.id
  left join app_user m on m.id = a.sales_manager_id`;

/** The ends of `INSTANT_RANGE` as SQL literals. */
const FIRST_SHOWN = `timestamptz '${new Date(INSTANT_RANGE.from).toISOString()}'`;
const LAST_SHOWN = `timestamptz '${new Date(INSTANT_RANGE.until - 1).toISOString()}'`;

/**
 * A timestamp column as a view reads it: clamped to the instants the API accepts (`INSTANT_RANGE`), which every zone
 * writes with a four-digit year. PostgreSQL holds 4713 BC to 294276 AD and ±infinity, which the drivers turn into an
 * invalid Date (or a number, or a misread year below 100); clamped in the query, a row stored out of range (before
 * the CHECK on `recall_time`, or restored from elsewhere) is shown at the nearest end, as the migration that added the
 * CHECK stored such values, instead of failing the whole page. The clamp keeps the order. (`least` and `greatest` skip
 * NULLs, hence the `case`.)
 */
const shown = (column: string, as: string) =>
  `case when ${column} is null then null else greatest(least(${column}, ${LAST_SHOWN}), ${FIRST_SHOWN}) end as ${as}`;

/** The columns {@link toCustomer} reads, for a query over {@link CUSTOMER_FROM}. */
export const CUSTOMER_COLUMNS = `c.id, c.full_name, c.platform, c.username, c.phone_number, c.status,
  s.display_name as status_label, s.category as status_category, c.customer_type, c.assistant_name, c.chat_url, c.notes,
  c.aisummary, c.importance_score, c.priority_score, c.priority_level, c.priority_reason, c.industry,
  c.business_age_years, c.audio_file_id, ${shown('c.recall_time', 'recall_time')}, c.conversation_language,
  ${shown('c.created_at', 'created_at')}, ${shown('c.updated_at', 'updated_at')}, ${shown('c.archived_at', 'archived_at')},
  m.id as manager_id, m.name as manager_name, m.surname as manager_surname`;

/** How a view of a customer is rendered: the zone of its timestamps and the signed URL of its recording. */
export interface CustomerViewContext {
  time: BusinessTime;
  /** A relative, signed URL that plays the recording `fileId`. */
  audioUrl(fileId: string): string;
}

const intOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : asInt(value));
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** A customer as the API returns it, from a row of {@link CUSTOMER_COLUMNS}. */
export function toCustomer(row: Row, view: CustomerViewContext): Customer {
  const audioFileId = textOrNull(row.audio_file_id);
  const archivedAt = asDateOrNull(row.archived_at);
  return {
    id: asInt(row.id),
    full_name: String(row.full_name),
    platform: String(row.platform),
    username: textOrNull(row.username),
    phone_number: String(row.phone_number),
    status: String(row.status),
    status_label: String(row.status_label),
    status_category: row.status_category as StatusCategory,
    customer_type: (row.customer_type as CustomerType | null) ?? null,
    assistant_name: textOrNull(row.assistant_name),
    chat_url: textOrNull(row.chat_url),
    notes: textOrNull(row.notes),
    aisummary: textOrNull(row.aisummary),
    importance_score: intOrNull(row.importance_score),
    priority_score: intOrNull(row.priority_score),
    priority_level: (row.priority_level as PriorityLevel | null) ?? null,
    priority_reason: textOrNull(row.priority_reason),
    industry: textOrNull(row.industry),
    business_age_years: intOrNull(row.business_age_years),
    audio_file_id: audioFileId,
    audio_url: audioFileId ? view.audioUrl(audioFileId) : null,
    recall_time: view.time.formatOrNull(asDateOrNull(row.recall_time)),
    conversation_language: row.conversation_language as Language,
    sales_manager:
      row.manager_id === null || row.manager_id === undefined
        ? null
        : { id: asInt(row.manager_id), name: String(row.manager_name), surname: String(row.manager_surname) },
    created_at: view.time.format(asDate(row.created_at)),
    updated_at: view.time.format(asDate(row.updated_at)),
    is_archived: archivedAt !== null,
    archived_at: view.time.formatOrNull(archivedAt),
  };
}

/** The tables behind {@link toNote}: the note `n` and its author `u`. */
export const NOTE_FROM = `customer_note n left join app_user u on u.id = n.created_by`;

/** The columns {@link toNote} reads. */
export const NOTE_COLUMNS = `n.id, n.customer_id, n.note, n.created_by, ${shown('n.created_at', 'created_at')},
  ${shown('n.updated_at', 'updated_at')},
  case when u.id is null then null else u.name || ' ' || u.surname end as created_by_full_name`;

/** A note as the API returns it, from a row of {@link NOTE_COLUMNS}. */
export function toNote(row: Row, time: BusinessTime): CustomerNote {
  return {
    id: asInt(row.id),
    customer_id: asInt(row.customer_id),
    note: String(row.note),
    created_by: intOrNull(row.created_by),
    created_by_full_name: textOrNull(row.created_by_full_name),
    created_at: time.format(asDate(row.created_at)),
    updated_at: time.format(asDate(row.updated_at)),
  };
}
