import type { FilePart } from '@cims/contracts';
import fc from 'fast-check';

/**
 * How a generated value travels: as JSON text, a URL component, a form field or a part of a multipart body, written
 * byte by byte so that what a client library would clean up (lone surrogates, numbers JavaScript rounds) arrives.
 */

/** Text sent exactly as written: a JSON token JavaScript cannot hold (`9223372036854775807`), or a bad `%` escape. */
export class Raw {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `<raw ${this.text}>`;
  }
}

/** In `u` mode a surrogate pair is one code point, so this matches only the halves that stand alone. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** UTF-8 of a JavaScript string, except that a lone surrogate becomes its (invalid) three-byte form, as WTF-8 has it. */
export function wtf8(text: string): Uint8Array {
  if (!LONE_SURROGATE.test(text)) return new TextEncoder().encode(text);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out.push(...new TextEncoder().encode(text.slice(i, i + 2)));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out.push(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f));
    } else {
      out.push(...new TextEncoder().encode(text[i]));
    }
  }
  return Uint8Array.from(out);
}

/** A value as a URL component: `encodeURIComponent`, but lone surrogates are sent (as WTF-8) instead of throwing. */
export function urlComponent(value: unknown): string {
  if (value instanceof Raw) return value.text;
  const text = wireText(value);
  if (!LONE_SURROGATE.test(text)) return encodeURIComponent(text);
  let out = '';
  for (const byte of wtf8(text)) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.!~*'()]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** How a scalar travels in a query string or a form field. */
export function wireText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `key=value&…`, arrays as repeated keys, absent values left out. */
export function formText(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) parts.push(`${urlComponent(key)}=${urlComponent(item)}`);
  }
  return parts.join('&');
}

/** JSON text in which {@link Raw} values are written as they are (numbers JavaScript would round). */
export function jsonText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The boundary of every multipart body the fuzz sends. */
export const BOUNDARY = '----cims-fuzz-boundary-7MA4YWxkTrZu0gW';

/** The first bytes of files of each kind; what follows does not matter to a type check by content. */
const MAGIC: Record<string, number[]> = {
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52],
  'image/jpeg': [0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0],
  'image/gif': [...new TextEncoder().encode('GIF89a'), 1, 0, 1, 0],
  'audio/mpeg': [...new TextEncoder().encode('ID3'), 4, 0, 0, 0, 0, 0, 0],
  'audio/ogg': [...new TextEncoder().encode('OggS'), 0, 2, 0, 0, 0, 0, 0, 0, 0, 0],
  'audio/wav': [...new TextEncoder().encode('RIFF'), 36, 0, 0, 0, ...new TextEncoder().encode('WAVEfmt ')],
};

/** One file part of a multipart body: its field, name, declared type and bytes. */
export interface FilePartValue {
  field: string;
  filename: string;
  type: string;
  content: Uint8Array;
}

/** A `multipart/form-data` body, byte by byte, so it can carry what `FormData` would clean up (lone surrogates). */
export function multipartBytes(
  fields: Record<string, unknown>,
  files: FilePartValue[],
  boundary = BOUNDARY,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  const text = (s: string) => chunks.push(wtf8(s));
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      text(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n`);
      text(wireText(item));
      text('\r\n');
    }
  }
  for (const file of files) {
    text(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
        `Content-Type: ${file.type}\r\n\r\n`,
    );
    chunks.push(file.content);
    text('\r\n');
  }
  text(`--${boundary}--\r\n`);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A file for a route's file part: two in three of a declared type with its first bytes, else a bad one. */
export function fileArb(field: string, part: FilePart): fc.Arbitrary<FilePartValue> {
  const good = part.mediaTypes.filter((type) => MAGIC[type]);
  const goodFile = fc.constantFrom(...(good.length > 0 ? good : part.mediaTypes)).map((type) => ({
    field,
    filename: `fuzz.${type.split('/')[1]}`,
    type,
    content: Uint8Array.from([...(MAGIC[type] ?? []), ...new Array(64).fill(0)]),
  }));
  const badFile = fc
    .record({
      type: fc.constantFrom(...part.mediaTypes, 'text/plain', 'application/octet-stream', 'image/svg+xml'),
      content: fc.oneof(
        fc.constant(new Uint8Array(0)),
        fc.uint8Array({ maxLength: 200 }),
        fc.constant(new TextEncoder().encode('<svg onload="alert(1)"/>')),
      ),
      filename: fc.constantFrom('a.txt', '../../etc/passwd', 'x\u0000.png', 'é\ud800.mp3', ''),
    })
    .map((f) => ({ field, ...f }));
  return fc.oneof({ weight: 2, arbitrary: goodFile }, { weight: 1, arbitrary: badFile });
}
