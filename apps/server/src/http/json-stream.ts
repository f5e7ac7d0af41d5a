import { Readable } from 'node:stream';
import type { Response } from 'express';
import { z } from 'zod';
import { loggable } from './error-handler.js';
import { fastResponseSchema } from './response-check.js';

/** What {@link streamJsonObject} writes: an object whose one array is too long to build in memory. */
export interface JsonObjectStream<TItem> {
  /** The keys written before the array (known up front). */
  head: Record<string, unknown>;
  /** The array's items, a batch at a time; the next batch is only asked for once the client has taken the last. */
  items: AsyncIterable<readonly TItem[]>;
  /** The keys written after the array, asked for once `items` is done (counts taken while streaming, say). */
  tail(): Record<string, unknown>;
}

/** The route's response schema split into the parts {@link streamJsonObject} checks one by one. */
interface Parts {
  head: ReturnType<typeof fastResponseSchema>;
  item: ReturnType<typeof fastResponseSchema>;
  tail: ReturnType<typeof fastResponseSchema>;
}

/** The parts per response schema and split, so each is derived (and its validator compiled) once per process. */
const partsOf = new WeakMap<z.AnyZodObject, Map<string, Parts>>();

function split(schema: z.AnyZodObject, headKeys: string[], arrayKey: string): Parts {
  const key = `${headKeys.join(',')}|${arrayKey}`;
  let bySplit = partsOf.get(schema);
  if (!bySplit) {
    bySplit = new Map();
    partsOf.set(schema, bySplit);
  }
  let parts = bySplit.get(key);
  if (!parts) {
    const array = schema.shape[arrayKey];
    if (!(array instanceof z.ZodArray)) throw new Error(`${arrayKey} is not an array of the response schema`);
    const pick = (keys: string[]) => Object.fromEntries(keys.map((name) => [name, true])) as Record<string, true>;
    const tailKeys = Object.keys(schema.shape).filter((name) => name !== arrayKey && !headKeys.includes(name));
    parts = {
      head: fastResponseSchema(schema.pick(pick(headKeys))),
      item: fastResponseSchema(array.element),
      tail: fastResponseSchema(schema.pick(pick(tailKeys))),
    };
    bySplit.set(key, parts);
  }
  return parts;
}

function checked(schema: Parts['head'], value: unknown): unknown {
  const result = schema.safeParse(value);
  if (!result.success) throw result.error;
  return result.data;
}

/**
 * A JSON object written as it is produced: `head`, then `arrayKey` with the items batch by batch, then `tail()`. What
 * ts-rest's response validation does for a whole body (which it skips for a stream) is done part by part against the
 * route's response schema: every part must be exactly as declared, and a key the contract does not name never goes
 * out. The head is checked here, before anything is sent, so a bad one still becomes an error response; a later
 * failure can only cut the stream (see {@link sendJsonStream}).
 *
 * Memory stays at about a batch: the stream asks for the next batch only when its reader has taken the previous one
 * (its buffer holds at most 64 KiB beyond the batch being written).
 */
export function streamJsonObject<TItem>(
  schema: z.AnyZodObject,
  arrayKey: string,
  body: JsonObjectStream<TItem>,
): Readable {
  const parts = split(schema, Object.keys(body.head), arrayKey);
  const head = JSON.stringify(checked(parts.head, body.head));
  async function* text(): AsyncGenerator<string> {
    yield `${head === '{}' ? '{' : `${head.slice(0, -1)},`}${JSON.stringify(arrayKey)}:[`;
    let first = true;
    for await (const batch of body.items) {
      if (batch.length === 0) continue;
      const items = batch.map((item) => JSON.stringify(checked(parts.item, item))).join(',');
      yield first ? items : `,${items}`;
      first = false;
    }
    const tail = JSON.stringify(checked(parts.tail, body.tail()));
    yield tail === '{}' ? ']}' : `],${tail.slice(1)}`;
  }
  return Readable.from(text(), { objectMode: false, highWaterMark: 64 * 1024 });
}

/**
 * Prepares `res` for a streamed JSON body (ts-rest pipes a stream body into the response as it is, without a content
 * type): sets the content type, stops producing when the client goes away, and ends the connection when the stream
 * fails after its first bytes, which can no longer become an error response (the client sees a cut body, never a
 * complete-looking one). Returns the stream, to be returned as the handler's body.
 */
export function sendJsonStream(res: Response, stream: Readable): Readable {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  stream.on('error', (error) => {
    res.req.log.error({ err: loggable(error) }, 'A streamed response failed after it had started');
    res.destroy();
  });
  res.on('close', () => stream.destroy());
  return stream;
}
