/** The audio formats `sniffAudio` recognises, as a refused upload names them. */
export const AUDIO_FORMATS = 'MP3, OGG/Opus, WAV, M4A/AAC, FLAC or WebM';

/**
 * The CRM's user-facing messages that the server and the mocks both send, written once so their wording cannot drift
 * apart. The legacy client shows `detail` as is.
 */
export const CRM_MESSAGES = {
  /** `503 SERVICE_UNAVAILABLE` of the intake API when no key is configured. */
  intakeDisabled: 'The intake API is not enabled on this server (CRM_CUSTOMER_API_KEY)',
  /** `401 INVALID_API_KEY` of the intake API. */
  intakeKeyRejected: 'The X-Key header is missing or wrong',
  /** The `422` issue of a `phone_number` that `normalizePhone` cannot read. */
  phoneInvalid: 'Input should be a valid phone number',
  /** `403 INVALID_SIGNATURE` of a recording link whose signature is wrong. */
  recordingLinkInvalid: 'The signature of this link is not valid',
  /** `403 INVALID_SIGNATURE` of a recording link past its `expires`. */
  recordingLinkExpired: 'This link has expired; reload the customer',
  /** `415 UNSUPPORTED_MEDIA_TYPE` of an upload that is no recording `sniffAudio` recognises. */
  recordingFormat: `The recording must be ${AUDIO_FORMATS}`,
  /** The `422` issue of a `recall_time` that is no ISO-8601 date-time. */
  dateTimeInvalid: 'Input should be a valid date-time',
  /** `201` of a new customer (form, intake). */
  customerCreated: 'Customer created',
  /** `200` of `POST /crm/customers/:id/archive`. */
  customerArchived: 'Customer archived',
  /** `200` of `POST /crm/customers/:id/restore`. */
  customerRestored: 'Customer restored',
  /** `200` of the hard delete of one customer. */
  customerDeleted: 'Customer deleted for good',
  /** `404 NOT_FOUND` of a customer that does not exist or that the caller may not see. */
  customerNotFound: 'Customer not found',
  /** `409 CONFLICT` of archiving an archived customer. */
  alreadyArchived: 'The customer is already archived',
  /** `409 CONFLICT` of restoring a customer that is not archived. */
  notArchived: 'The customer is not archived',
  /** `200` of deleting a note. */
  noteDeleted: 'Note deleted',
  /** `404 NOT_FOUND` of an unknown note of the customer. */
  noteNotFound: 'Note not found',
  /** `403 FORBIDDEN` of changing someone else's note. */
  noteAuthorOnly: 'Only the author of a note or the CEO can change or delete it',
  /** `404 NOT_FOUND` of an unknown recording. */
  recordingNotFound: 'Recording not found',
  /** `416 RANGE_NOT_SATISFIABLE` of a `Range` outside a recording of `size` bytes. */
  rangeOutside: (size: number) => `The range is outside the recording (${size} bytes)`,
  /** `404 NOT_FOUND` of a sales manager id that is no active sales manager. */
  managerNotFound: 'No active sales manager with this id',
  /** `403 FORBIDDEN` of a sales manager asking for another one's data. */
  otherManagersData: 'Only the CEO can see another sales manager’s data',
  /** `404 NOT_FOUND` of the manager of a customer nobody is assigned to. */
  noManagerAssigned: 'No sales manager is assigned to this customer',
  /** `404 NOT_FOUND` of the CEO's manager statistics without any active sales manager. */
  noActiveManager: 'There is no active sales manager',
  /** The `422` issue on `sales_manager_id` when the CEO must choose among several managers. */
  severalManagers: 'Several sales managers exist, send sales_manager_id',
  /** The `period` of a manager's latest leads. */
  lastCustomers: (limit: number) => `Last ${limit} customers`,
  /** `404 NOT_FOUND` of an unknown status id. */
  statusNotFound: 'Status not found',
  /** `409 CONFLICT` of a new status whose key exists in any case. */
  statusExists: (name: string) => `A status named '${name}' already exists`,
  /** The `422` issue on `ids` of a reorder that does not name every status exactly once. */
  statusOrder: (count: number) =>
    `Send every status id exactly once (${count} ids); missing, unknown or repeated ids are refused`,
  /** `403 FORBIDDEN` of deleting a system status. */
  systemStatus: (name: string) => `The system status '${name}' cannot be deleted; deactivate it instead`,
  /** The `422` issue on `reassign_to` naming no status. */
  reassignUnknown: (sent: string) => `There is no status '${sent}' to move the customers to`,
  /** The `422` issue on `reassign_to` naming the status being deleted. */
  reassignSame: 'reassign_to must name another status than the one deleted',
  /** `409 STATUS_IN_USE` of deleting a status customers have, without `reassign_to`. */
  statusInUse: (count: number, name: string) => `${count} customer(s) have the status '${name}'; send reassign_to`,
  /** `200` of deleting a status, with where its customers went when they were moved. */
  statusDeleted: (name: string, moved?: { count: number; to: string }) =>
    moved ? `Status '${name}' deleted; ${moved.count} customer(s) moved to '${moved.to}'` : `Status '${name}' deleted`,
  /** The `422` issue on `customer_status` when it and `status` name different statuses. */
  statusesDisagree: 'status and customer_status name different statuses; send one of them',
  /** The `422` issue on `status` of a customer write naming no active status; lists the active ones in order. */
  unknownStatus: (sent: string, active: readonly string[]) =>
    `Unknown or inactive status '${sent}'; use one of: ${active.join(', ')}`,
} as const;
