/** A file's real type, read from its first bytes, and the extension it is stored with. */
export interface SniffedType {
  mediaType: string;
  extension: string;
}

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));

/**
 * What the first bytes of an upload say it is, for the picture types profile images accept (JPEG, PNG, GIF, WebP).
 * The declared type and the file name are not trusted. Undefined: not a picture we take.
 */
export function sniffImage(bytes: Uint8Array): SniffedType | undefined {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    return { mediaType: 'image/jpeg', extension: 'jpg' };
  }
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 4) === 'PNG') return { mediaType: 'image/png', extension: 'png' };
  if (b.length >= 6 && ascii(b, 0, 4) === 'GIF8') return { mediaType: 'image/gif', extension: 'gif' };
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') {
    return { mediaType: 'image/webp', extension: 'webp' };
  }
  return undefined;
}

/**
 * What the first bytes of an upload say it is, for the audio formats the CRM accepts (MP3, OGG/Opus, WAV, M4A/AAC,
 * FLAC, WebM). The declared type and the file name are not trusted. Undefined: not a recording we take.
 */
export function sniffAudio(bytes: Uint8Array): SniffedType | undefined {
  const b = bytes;
  if (b.length >= 4 && ascii(b, 0, 3) === 'ID3') return { mediaType: 'audio/mpeg', extension: 'mp3' };
  if (b.length >= 4 && ascii(b, 0, 4) === 'OggS') return { mediaType: 'audio/ogg', extension: 'ogg' };
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WAVE') {
    return { mediaType: 'audio/wav', extension: 'wav' };
  }
  if (b.length >= 4 && ascii(b, 0, 4) === 'fLaC') return { mediaType: 'audio/flac', extension: 'flac' };
  // ISO base media (M4A, MP4 audio): a `ftyp` box first.
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') return { mediaType: 'audio/mp4', extension: 'm4a' };
  // EBML header: WebM (Matroska).
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) {
    return { mediaType: 'audio/webm', extension: 'webm' };
  }
  // MPEG audio frames start with 11 set sync bits. Layer bits 00 are AAC in ADTS (0xFFF1/0xFFF9), else MP3 (I–III).
  const b0 = b[0] ?? 0;
  const b1 = b[1] ?? 0;
  if (b.length >= 4 && b0 === 0xff && (b1 & 0xe0) === 0xe0) {
    // ADTS has 12 sync bits: 0xFFE with layer 00 is neither AAC nor MPEG audio.
    if ((b1 & 0x06) === 0) return (b1 & 0xf6) === 0xf0 ? { mediaType: 'audio/aac', extension: 'aac' } : undefined;
    // Layer bits 01/10/11 with a valid version (not 01, reserved): MPEG audio.
    if ((b1 & 0x18) !== 0x08) return { mediaType: 'audio/mpeg', extension: 'mp3' };
  }
  return undefined;
}
