import { deflateSync } from 'node:zlib';

/** CRC-32 (IEEE), as PNG chunks use it. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial 0 (RFC 3533). */
function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

/**
 * A valid one-page Ogg stream holding an `OpusHead` packet: the start of every Telegram voice message, which is what
 * content sniffers look at (`OggS` … `OpusHead`). `serial` makes each file's bytes distinct.
 */
export function oggOpusBytes(serial: number): Uint8Array {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head.writeUInt8(1, 8); // version
  head.writeUInt8(1, 9); // mono
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48_000, 12); // input sample rate
  head.writeInt16LE(0, 16); // output gain
  head.writeUInt8(0, 18); // channel mapping family
  const page = Buffer.alloc(27 + 1 + head.length);
  page.write('OggS', 0, 'latin1');
  page.writeUInt8(0, 4); // stream structure version
  page.writeUInt8(0x02, 5); // beginning of stream
  page.writeBigUInt64LE(0n, 6); // granule position
  page.writeUInt32LE(serial >>> 0, 14);
  page.writeUInt32LE(0, 18); // page sequence
  page.writeUInt32LE(0, 22); // CRC, filled below
  page.writeUInt8(1, 26); // one segment
  page.writeUInt8(head.length, 27);
  head.copy(page, 28);
  page.writeUInt32LE(oggCrc(page), 22);
  return new Uint8Array(page);
}

/**
 * An ID3v2.3 tag followed by one silent MPEG-1 Layer III frame (128 kbit/s, 44.1 kHz): the shape of an MP3 a user
 * uploads as a call recording. `marker` is the last byte of each frame's data, so each file's bytes differ.
 */
export function mp3Bytes(marker: number): Uint8Array {
  const id3 = Buffer.from([0x49, 0x44, 0x33, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]); // "ID3", v2.3, size 0
  const frameLength = 417; // 144 * 128000 / 44100, no padding bit
  const frame = Buffer.alloc(frameLength);
  frame.set([0xff, 0xfb, 0x90, 0x64], 0); // sync, MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, joint stereo
  frame.writeUInt8(marker & 0xff, frameLength - 1);
  return new Uint8Array(Buffer.concat([id3, frame, frame]));
}

/** A valid 2×2 RGB PNG whose colour comes from `seed`, as the legacy server's `images/` folder holds them. */
export function pngBytes(seed: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter method, no interlace
  const [r, g, b] = [seed & 0xff, (seed >> 8) & 0xff, (seed >> 16) & 0xff];
  const row = [0, r, g, b, r, g, b]; // filter byte 0, two pixels
  const raw = Buffer.from([...row, ...row]);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}
