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
} as const;
