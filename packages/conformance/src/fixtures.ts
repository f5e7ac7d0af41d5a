/** Files the suites upload: small, but each recognised (or refused) by its first bytes as a real one would be. */

/**
 * An MP3 of `size` bytes (at least 42): an ID3v2.4 header and an MPEG-1 Layer III frame header, then the bytes
 * `i & 0xff` at offset `i`, so that any slice of it is easy to predict.
 */
export function mp3Bytes(size = 64): Uint8Array<ArrayBuffer> {
  const bytes = Uint8Array.from({ length: size }, (_, i) => i & 0xff);
  bytes.set([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfb, 0x90, 0x64]);
  return bytes;
}

/** An OGG file of `size` bytes: the `OggS` capture pattern of a first page, then zeros. */
export function oggBytes(size = 48): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set([0x4f, 0x67, 0x67, 0x53, 0x00, 0x02]);
  return bytes;
}

/** A PNG signature followed by zeros: `size` bytes in all. */
export function pngBytes(size = 64): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
}
