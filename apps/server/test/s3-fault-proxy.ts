import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { S3Server } from './s3-server.js';

/**
 * What the proxy does with each request: `pass` forwards it to the store, `unavailable` answers `503` as S3 does
 * when it is overloaded, `drop` resets the connection without an answer (a store that went away mid-request).
 */
export type S3FaultMode = 'pass' | 'unavailable' | 'drop';

/** A proxy between the server and an S3-compatible store that can fail like a network or a store in trouble. */
export interface S3FaultProxy extends AsyncDisposable {
  /** The `S3_*` variables that point a server at the proxy instead of the store. */
  env: Record<string, string>;
  mode: S3FaultMode;
  /** The object keys of the PUT requests that reached the proxy, in order (retries included), in any mode. */
  readonly puts: string[];
  /**
   * Resets the connection of the next `count` PUTs of an object (in `pass` mode) once part of the body went through
   * to the store, so the store sees a request cut off mid-body.
   */
  resetNextPuts(count: number): void;
  /** How many PUTs were reset so far. */
  readonly resets: number;
  close(): Promise<void>;
}

/** How much of a body passes before a reset: less than an upload's first read chunk of 64 KiB, more than nothing. */
const RESET_AFTER_BYTES = 16 * 1024;

const UNAVAILABLE_XML =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code>' +
  '<Message>Please reduce your request rate.</Message></Error>';

/** The headers sent on to the store: `Expect` is answered by this proxy's own server (and is never signed). */
function forwarded(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { expect: _expect, connection: _connection, ...rest } = headers;
  return rest;
}

/**
 * Starts a proxy in front of `store` (the in-process s3rver) on a free port.
 *
 * @example
 * await using s3 = await startS3Server();
 * await using proxy = await startS3FaultProxy(s3);
 * await using t = await createTestApp({ env: proxy.env });
 * proxy.mode = 'unavailable';
 */
export async function startS3FaultProxy(store: S3Server): Promise<S3FaultProxy> {
  const target = new URL(store.endpoint);
  const sockets = new Set<Socket>();
  let resetsLeft = 0;
  let resets = 0;
  const puts: string[] = [];
  const proxy = { mode: 'pass' as S3FaultMode };

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    // Path-style: /<bucket>/<folder>/<name>; a PUT of the bucket itself has no key.
    const objectKey = url.split('?')[0]?.split('/').slice(2).join('/');
    const isObjectPut = req.method === 'PUT' && Boolean(objectKey);
    if (isObjectPut) puts.push(objectKey as string);
    if (proxy.mode === 'drop') {
      req.socket.resetAndDestroy();
      return;
    }
    if (proxy.mode === 'unavailable') {
      // The body is read and dropped, as a store does before it answers.
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(UNAVAILABLE_XML) });
      res.end(UNAVAILABLE_XML);
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: url, headers: forwarded(req.headers) },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    const reset = isObjectPut && resetsLeft > 0;
    if (!reset) {
      req.pipe(upstream);
      return;
    }
    resetsLeft -= 1;
    let passed = 0;
    req.on('data', (chunk: Buffer) => {
      if (passed >= RESET_AFTER_BYTES) return;
      upstream.write(chunk);
      passed += chunk.length;
      if (passed >= RESET_AFTER_BYTES) {
        resets += 1;
        // The store sees its request end early; the client sees its connection reset while it sends.
        upstream.destroy();
        req.socket.resetAndDestroy();
      }
    });
    req.on('end', () => {
      if (passed < RESET_AFTER_BYTES) upstream.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
    return closing;
  };
  return {
    env: { ...store.env, S3_ENDPOINT: endpoint },
    get mode() {
      return proxy.mode;
    },
    set mode(mode: S3FaultMode) {
      proxy.mode = mode;
    },
    puts,
    resetNextPuts(count) {
      resetsLeft = count;
    },
    get resets() {
      return resets;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
