/**
 * User-facing messages about uploaded files that the server and the mocks both send, written once so their wording
 * cannot drift apart.
 */
export const FILE_MESSAGES = {
  /** `400 INVALID_FILE` of a file part the route does not declare, or a second file in one field. */
  unexpectedField: (field: string) => `Unexpected file field ${field}`,
  /** `400 INVALID_FILE` of a required picture part that was not sent. */
  pictureMissing: (field: string) => `Send the picture in the file field "${field}"`,
  /** `400 INVALID_FILE` of an empty file part. */
  empty: 'The uploaded file is empty',
  /** `413 PAYLOAD_TOO_LARGE` of a file part over its `maxBytes`. */
  tooLarge: (field: string, maxBytes: number) => `The file ${field} is too large (at most ${maxBytes} bytes)`,
  /** `400 INVALID_FILE` of a picture part whose bytes are none of its accepted types (by `sniffImage`). */
  pictureType: (mediaTypes: readonly string[]) => `The picture must be one of ${mediaTypes.join(', ')}`,
} as const;
