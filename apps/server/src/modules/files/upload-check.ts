import type { FilePart } from '@cims/contracts';
import type { ApiError } from '../../errors.js';

/** How many first bytes of a file decide its type: more than every signature that is sniffed needs. */
export const SNIFF_BYTES = 16;

/** What the first bytes of a file say it is, and the extension it is stored with. */
export interface SniffedType {
  mediaType: string;
  extension: string;
}

/** How the file parts of one kind (recordings, pictures) are recognised, and how a file that is not one is refused. */
export interface UploadCheck {
  /** Whether this check is the one for a route's file part (from the part's declared media types). */
  accepts(part: FilePart): boolean;
  /** The file's type from its first {@link SNIFF_BYTES} bytes (fewer when the file is shorter); undefined: refused. */
  sniff(head: Uint8Array, part: FilePart): SniffedType | undefined;
  /** The error for a file `sniff` refused. */
  refuse(part: FilePart): ApiError;
}

/**
 * An uploaded file: streamed to a temporary file, never held in memory, and recognised by its first bytes. The file
 * exists until the response has been sent (or the client went away); store it before answering.
 */
export interface UploadedFile extends SniffedType {
  /** The temporary file. */
  path: string;
  size: number;
}
