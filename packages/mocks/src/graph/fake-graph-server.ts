import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import { createFakeGraphApi, type FakeGraphApi, type FakeGraphApiOptions } from './fake-graph-api.js';

/** Options of {@link startFakeGraphApi}: the fake's options, and the port to listen on. */
export interface FakeGraphServerOptions extends FakeGraphApiOptions {
  /** The port on 127.0.0.1. @default 0 (a free port) */
  port?: number;
}

/** A fake Graph API served over HTTP. */
export interface FakeGraphServer {
  /** Where it answers, e.g. `http://127.0.0.1:41234`: the server's `GRAPH_API_BASE_URL`. */
  url: string;
  /** The fake behind it: scenarios, accounts, tokens, queued failures, the request log. */
  graph: FakeGraphApi;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

async function toRequest(message: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const method = message.method ?? 'GET';
  let body: ArrayBuffer | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const chunks: Buffer[] = [];
    for await (const chunk of message) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    body = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  return new Request(new URL(message.url ?? '/', origin), { method, headers, body });
}

async function send(response: Response, out: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  out.writeHead(response.status, headers);
  out.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Serves a fake Graph API over real HTTP on 127.0.0.1, for a server running in another process (or one whose HTTP
 * client MSW cannot intercept). Requests are answered by the fake's MSW handlers through msw's `getResponse`. The
 * fake answers at the server's own URL: a `baseUrl` option is replaced by it.
 *
 * @example
 * const fake = await startFakeGraphApi();
 * const app = await createTestApp({ env: { GRAPH_API_BASE_URL: fake.url } });
 * fake.graph.useScenario('expired-token');
 * await fake.close();
 */
export async function startFakeGraphApi(options: FakeGraphServerOptions = {}): Promise<FakeGraphServer> {
  const { port = 0, ...fakeOptions } = options;
  let graph: FakeGraphApi | undefined;
  let origin = '';
  const server = createServer((message, out) => {
    void (async () => {
      try {
        if (!graph) throw new Error('The fake Graph API is not ready');
        const request = await toRequest(message, origin);
        const response = await getResponse(graph.handlers, request);
        await send(response ?? Response.json({ error: { message: 'Not found', code: 2500 } }, { status: 404 }), out);
      } catch (error) {
        await send(
          Response.json({ error: { message: String(error), type: 'FakeGraphError', code: 1 } }, { status: 500 }),
          out,
        ).catch(() => out.destroy());
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  graph = createFakeGraphApi({ ...fakeOptions, baseUrl: origin });
  const ready = graph;
  return {
    url: origin,
    graph: ready,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
