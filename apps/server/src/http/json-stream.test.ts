import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { streamJsonObject } from './json-stream.js';

const Item = z.object({ id: z.number().int(), name: z.string() });
const Body = z.object({ title: z.string(), items: z.array(Item), count: z.number().int() });

async function* batches<T>(...lists: T[][]): AsyncGenerator<T[]> {
  for (const list of lists) yield list;
}

describe('streamJsonObject', () => {
  it('writes the head, the items batch by batch and the tail as one JSON object', async () => {
    let read = 0;
    const items = (async function* () {
      for (const list of [
        [{ id: 1, name: 'a' }],
        [],
        [
          { id: 2, name: 'b' },
          { id: 3, name: 'c' },
        ],
      ]) {
        read += list.length;
        yield list;
      }
    })();
    const stream = streamJsonObject(Body, 'items', { head: { title: 't' }, items, tail: () => ({ count: read }) });
    const body = await text(stream);
    expect(JSON.parse(body)).toEqual({
      title: 't',
      items: [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
        { id: 3, name: 'c' },
      ],
      count: 3,
    });
    expect(Object.keys(JSON.parse(body))).toEqual(['title', 'items', 'count']);
  });

  it('writes an empty list, and an empty head', async () => {
    const stream = streamJsonObject(Body.omit({ title: true }), 'items', {
      head: {},
      items: batches(),
      tail: () => ({ count: 0 }),
    });
    expect(JSON.parse(await text(stream))).toEqual({ items: [], count: 0 });
  });

  it('never sends a key the contract does not name', async () => {
    const stream = streamJsonObject(Body, 'items', {
      head: { title: 't', secret: 'head' },
      items: batches([{ id: 1, name: 'a', password_hash: 'x' }]),
      tail: () => ({ count: 1, internal: true }),
    });
    const body = await text(stream);
    expect(JSON.parse(body)).toEqual({ title: 't', items: [{ id: 1, name: 'a' }], count: 1 });
    expect(body).not.toMatch(/secret|password_hash|internal/);
  });

  it('refuses a head the contract does not allow before writing anything', () => {
    expect(() =>
      streamJsonObject(Body, 'items', { head: { title: 1 }, items: batches(), tail: () => ({ count: 0 }) }),
    ).toThrow();
  });

  it('fails the stream, instead of ending it, when an item is not what the contract declares', async () => {
    const stream = streamJsonObject(Body, 'items', {
      head: { title: 't' },
      items: batches([{ id: 1, name: 'a' }], [{ id: 'two', name: 'b' }]),
      tail: () => ({ count: 2 }),
    });
    await expect(text(stream)).rejects.toThrow();
  });
});
