import type { Customer, CustomerNote } from '@cims/contracts';
import { asDate, asDateOrNull, asInt, type Row } from '../../db/sql.js';
import type { BusinessTime } from './business-time.js';
import { CUSTOMER_READS, type CustomerRow, shown } from './customer-table.js';

/** How a view of a customer is rendered: the zone of its timestamps and the signed URL of its recording. */
export interface CustomerViewContext {
  time: BusinessTime;
  /** A relative, signed URL that plays the recording `fileId`. */
  audioUrl(fileId: string): string;
}

const intOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : asInt(value));
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/**
 * Every field of a customer, in `CUSTOMER_READS`' order, each `null`: {@link toCustomer} fills a copy of it. In V8 an
 * object that gets its 28 fields one at a time turns into a dictionary, slower to build, to check and to write as JSON
 * (a page of 50 customers cost the server about 0.35 ms more CPU at 1M customers, bench/README.md); a copy made with
 * spread has the fast layout, the same for every customer, with the fields in this order.
 */
const BLANK_CUSTOMER: Readonly<Record<string, null>> = Object.fromEntries(
  CUSTOMER_READS.map(([field]) => [field, null]),
);

/**
 * A customer as the API returns it, from a row of `CUSTOMER_COLUMNS`: one pass over the customer table's fields
 * (`CUSTOMER_READS`, computed once), each read as the table says.
 */
export function toCustomer(row: CustomerRow, view: CustomerViewContext): Customer {
  const values = row as unknown as Record<string, unknown>;
  const customer: Record<string, unknown> = { ...BLANK_CUSTOMER };
  for (const [field, read] of CUSTOMER_READS) {
    switch (read) {
      case 'value':
      case 'joined':
        customer[field] = values[field] ?? null;
        break;
      case 'int':
        customer[field] = intOrNull(values[field]);
        break;
      case 'instant':
        customer[field] = view.time.formatOrNull(asDateOrNull(values[field]));
        break;
      case 'audioUrl':
        customer[field] = row.audio_file_id ? view.audioUrl(row.audio_file_id) : null;
        break;
      case 'manager':
        customer[field] =
          row.manager_id === null || row.manager_id === undefined
            ? null
            : { id: asInt(row.manager_id), name: String(row.manager_name), surname: String(row.manager_surname) };
        break;
      case 'isArchived':
        customer[field] = row.archived_at !== null && row.archived_at !== undefined;
        break;
    }
  }
  return customer as Customer;
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
