import { type Customer, CustomerSchema, INSTANT_RANGE, type LeadInsights } from '@cims/contracts';
import { type NewCustomerValues, PLAIN_CUSTOMER_FIELDS, type PlainCustomerField } from '@cims/contracts/rules';

/**
 * How the view reads a field of the API's customer:
 * - `value`: the `customer` column of its name, as it is (`null` stays `null`);
 * - `int`: the integer column of its name;
 * - `instant`: the timestamp column of its name, clamped ({@link shown}) and written in the business zone;
 * - `joined`: the expression `sql` over a joined table, under the field's name;
 * - `audioUrl`, `manager`, `isArchived`: computed from other columns of the row.
 */
export type ReadAs = 'value' | 'int' | 'instant' | 'joined' | 'audioUrl' | 'manager' | 'isArchived';

/**
 * Who writes a `customer` column: the forms (create, and edit where the field is sent), the notes' insights (derived,
 * see `leadInsights`), an uploaded recording, or the insert alone (`created`, `createdAt`: a time that defaults to
 * now).
 */
export type WrittenBy = 'form' | 'insights' | 'recording' | 'created' | 'createdAt';

interface ColumnSpec {
  read?: ReadAs;
  /** The expression of a `joined` field. */
  sql?: string;
  write?: WrittenBy;
}

/**
 * THE customer table, as the server reads and writes it: every field of the API's customer (`CustomerSchema`) with how
 * it is read, and every `customer` column with who writes it. The select list ({@link CUSTOMER_COLUMNS}), the row type
 * ({@link CustomerRow}), the row → API mapping (`toCustomer`), the insert (`insertCustomerSql`) and the columns an edit
 * may set ({@link FORM_COLUMNS}) all come from it. The plain fields of the contract (`PLAIN_CUSTOMER_FIELDS`: read as
 * `value`, written by the forms) are added below, so a new one needs no line here.
 */
const TABLE = {
  id: { read: 'int' },
  full_name: { read: 'value', write: 'form' },
  platform: { read: 'value', write: 'form' },
  phone_number: { read: 'value', write: 'form' },
  status: { read: 'value', write: 'form' },
  status_label: { read: 'joined', sql: 's.display_name' },
  status_category: { read: 'joined', sql: 's.category' },
  aisummary: { read: 'value', write: 'insights' },
  importance_score: { read: 'int', write: 'insights' },
  priority_score: { read: 'int', write: 'insights' },
  priority_level: { read: 'value', write: 'insights' },
  priority_reason: { read: 'value', write: 'insights' },
  industry: { read: 'value', write: 'insights' },
  business_age_years: { read: 'int', write: 'insights' },
  audio_file_id: { read: 'value', write: 'recording' },
  audio_media_type: { write: 'recording' },
  audio_url: { read: 'audioUrl' },
  recall_time: { read: 'instant', write: 'form' },
  conversation_language: { read: 'value', write: 'form' },
  sales_manager: { read: 'manager' },
  source: { write: 'created' },
  created_by: { write: 'created' },
  created_at: { read: 'instant', write: 'createdAt' },
  updated_at: { read: 'instant', write: 'createdAt' },
  is_archived: { read: 'isArchived' },
  archived_at: { read: 'instant' },
} as const satisfies { [K in Exclude<keyof Customer, PlainCustomerField>]: ColumnSpec } & Record<string, ColumnSpec>;

type Table = typeof TABLE;
type ColumnsWrittenBy<TBy extends WrittenBy> = {
  [K in keyof Table]: Table[K] extends { write: TBy } ? K : never;
}[keyof Table];

/** The columns of `customer` the table names: those read by their name, and those written. */
export type CustomerColumn =
  | {
      [K in keyof Table]: Table[K] extends { write: WrittenBy } | { read: 'value' | 'int' | 'instant' } ? K : never;
    }[keyof Table]
  | PlainCustomerField;

/** Every entry of the table, the plain fields included, in the order of `CustomerSchema` (then the unread columns). */
const ENTRIES: readonly (readonly [string, ColumnSpec])[] = (() => {
  const specs = new Map<string, ColumnSpec>(Object.entries(TABLE));
  for (const field of PLAIN_CUSTOMER_FIELDS) specs.set(field, { read: 'value', write: 'form' });
  const ordered = Object.keys(CustomerSchema.shape).map((field) => {
    const spec = specs.get(field);
    // Unreachable while the types hold: the table's type asks for every field of CustomerSchema but the plain ones.
    if (!spec) throw new Error(`The customer table does not say how to read '${field}'`);
    return [field, spec] as const;
  });
  const read = new Set(ordered.map(([field]) => field));
  return [...ordered, ...[...specs].filter(([column]) => !read.has(column))];
})();

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
export const shown = (column: string, as: string) =>
  `case when ${column} is null then null else greatest(least(${column}, ${LAST_SHOWN}), ${FIRST_SHOWN}) end as ${as}`;

/**
 * The tables behind `toCustomer`: the customer `c`, its status `s`, its assignment `a` and manager `m`. Use as
 * `select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM} where …`.
 */
export const CUSTOMER_FROM = `customer c
  join customer_status s on s.name = c.status
  left join sales_manager_assignment a on a.customer_id = c.id
  left join app_user m on m.id = a.sales_manager_id`;

/** The select list of one table entry (none for the fields computed from other columns). */
function selected(field: string, spec: ColumnSpec): string[] {
  switch (spec.read) {
    case 'value':
    case 'int':
      return [`c.${field}`];
    case 'instant':
      return [shown(`c.${field}`, field)];
    case 'joined':
      return [`${spec.sql} as ${field}`];
    case 'manager':
      return ['m.id as manager_id', 'm.name as manager_name', 'm.surname as manager_surname'];
    case 'audioUrl':
    case 'isArchived':
    case undefined:
      return [];
  }
}

/** The columns `toCustomer` reads ({@link CustomerRow}), for a query over {@link CUSTOMER_FROM}. */
export const CUSTOMER_COLUMNS = ENTRIES.flatMap(([field, spec]) => selected(field, spec)).join(', ');

/** How `toCustomer` fills each field of the API's customer, in the order of `CustomerSchema`. */
export const CUSTOMER_READS: readonly (readonly [keyof Customer, ReadAs])[] = ENTRIES.flatMap(([field, spec]) =>
  spec.read ? [[field as keyof Customer, spec.read] as const] : [],
);

/** A column's value as the drivers return it: integers may come as strings (bigint), timestamps as strings. */
type Stored<TField extends keyof Customer, TRead> = TRead extends 'int'
  ? number | string | (null extends Customer[TField] ? null : never)
  : TRead extends 'instant'
    ? Date | string | (null extends Customer[TField] ? null : never)
    : Customer[TField];

/** A row of {@link CUSTOMER_COLUMNS}. */
export type CustomerRow = {
  [K in keyof Table as K extends keyof Customer
    ? Table[K] extends { read: 'value' | 'int' | 'instant' | 'joined' }
      ? K
      : never
    : never]: K extends keyof Customer ? Stored<K, Table[K] extends { read: infer R } ? R : never> : never;
} & { [K in PlainCustomerField]: Customer[K] } & {
  manager_id: number | string | null;
  manager_name: string | null;
  manager_surname: string | null;
};

/** The columns the forms write (create, and edit where sent), in table order. */
export type FormColumn = ColumnsWrittenBy<'form'> | PlainCustomerField;

/** {@link FormColumn}: what an edit may set from the form (typed so that each is a field of a new customer). */
export const FORM_COLUMNS: readonly (FormColumn & keyof NewCustomerValues<Date>)[] = ENTRIES.filter(
  ([, spec]) => spec.write === 'form',
).map(([column]) => column as FormColumn);

/** The columns of `customer` that hold `leadInsights`, named as its keys. */
export const INSIGHT_COLUMNS = ENTRIES.filter(([, spec]) => spec.write === 'insights').map(
  ([column]) => column as ColumnsWrittenBy<'insights'> & keyof LeadInsights,
);

/** A value for every column an insert writes. */
export type InsertRow = { [K in ColumnsWrittenBy<Exclude<WrittenBy, 'form'>>]: unknown } & NewCustomerValues<Date>;

const INSERTED = ENTRIES.filter(([, spec]) => spec.write !== undefined);

/**
 * The insert of one customer (every written column, bind parameters in table order; the `createdAt` columns default
 * to now), returning its id, with its parameters from {@link InsertRow}.
 */
export const INSERT_CUSTOMER = {
  sql: `insert into customer (${INSERTED.map(([column]) => column).join(', ')})
    values (${INSERTED.map(([, spec]) => (spec.write === 'createdAt' ? 'coalesce(?, now())' : '?')).join(', ')})
    returning id`,
  params: (row: InsertRow): unknown[] => INSERTED.map(([column]) => (row as Record<string, unknown>)[column]),
};
