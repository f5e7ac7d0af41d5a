import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A file the fake Bot API knows, by file id. */
export interface FakeTelegramFile {
  /** The bytes served at `/file/bot<token>/<filePath>`. */
  bytes: Uint8Array;
  /** Telegram's `file_path`, e.g. `voice/file_12.oga`. */
  filePath: string;
}

/** Options of {@link startFakeTelegramBotApi}. */
export interface FakeTelegramOptions {
  /** The only bot token accepted; any other gets 401 `Unauthorized`. */
  token: string;
  /** Known files by file id (e.g. `facts.audioFiles` of a legacy database). */
  files: Record<string, FakeTelegramFile>;
}

/** One request the fake received, in arrival order. */
export interface FakeTelegramRequest {
  /** HTTP method. */
  method: string;
  /** Path and query as received (the token included). */
  url: string;
  /** `getFile`, `download` or `unknown`. */
  kind: 'getFile' | 'download' | 'unknown';
  /** The `file_id` asked for (getFile only). */
  fileId: string | null;
  /** Status code answered. */
  status: number;
}

/** A running fake Bot API. */
export interface FakeTelegramBotApi extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:41234` (use it where the real client has `https://api.telegram.org`). */
  url: string;
  /** Every request received, for assertions. */
  requests: FakeTelegramRequest[];
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

const MIME_BY_EXTENSION: Record<string, string> = {
  oga: 'audio/ogg',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  jpg: 'image/jpeg',
  png: 'image/png',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Telegram's error envelope; the HTTP status equals `error_code`. */
function sendError(res: ServerResponse, status: number, description: string): number {
  sendJson(res, status, { ok: false, error_code: status, description });
  return status;
}

/** Reads `file_id` from the query, a JSON body, or a form body (URL-encoded or multipart), as the Bot API accepts. */
async function readFileId(req: IncomingMessage, query: URLSearchParams): Promise<string | null> {
  const fromQuery = query.get('file_id');
  if (fromQuery !== null || req.method !== 'POST') return fromQuery;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (body.length === 0) return null;
  const type = req.headers['content-type'] ?? '';
  try {
    if (type.startsWith('application/json')) {
      const parsed = JSON.parse(body.toString('utf8')) as { file_id?: unknown };
      return typeof parsed.file_id === 'string' ? parsed.file_id : null;
    }
    // undici's Request parses both form encodings the way a real server would.
    const form = await new Request('http://fake.invalid/', { method: 'POST', headers: { 'content-type': type }, body })
      .formData()
      .catch(() => null);
    const value = form?.get('file_id');
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/**
 * Starts a local stand-in for the Telegram Bot API on 127.0.0.1 (random port) that speaks just what the legacy CRM's
 * audio needs: `GET|POST /bot<token>/getFile?file_id=…` and `GET /file/bot<token>/<file_path>`.
 *
 * @example
 * await using telegram = await startFakeTelegramBotApi({ token: '123:abc', files: legacy.facts.audioFiles });
 * await fetch(`${telegram.url}/bot123:abc/getFile?file_id=${id}`);
 */
export async function startFakeTelegramBotApi(options: FakeTelegramOptions): Promise<FakeTelegramBotApi> {
  const requests: FakeTelegramRequest[] = [];
  const byPath = new Map(Object.values(options.files).map((f) => [f.filePath, f]));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: FakeTelegramRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      kind: 'unknown',
      fileId: null,
      status: 0,
    };
    requests.push(record);
    const fail = (status: number, description: string) => {
      record.status = sendError(res, status, description);
    };

    const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (api) {
      const [, token, method] = api;
      if (method?.toLowerCase() === 'getfile') record.kind = 'getFile';
      if (token !== options.token) return fail(401, 'Unauthorized');
      if (record.kind !== 'getFile') return fail(404, 'Not Found');
      if (req.method !== 'GET' && req.method !== 'POST') return fail(404, 'Not Found');
      const fileId = await readFileId(req, url.searchParams);
      record.fileId = fileId;
      const file = fileId === null ? undefined : options.files[fileId];
      if (!fileId || !file) return fail(400, 'Bad Request: invalid file_id');
      sendJson(res, 200, {
        ok: true,
        result: {
          file_id: fileId,
          file_unique_id: `AgAD${createHash('sha256').update(fileId).digest('base64url').slice(0, 12)}`,
          file_size: file.bytes.byteLength,
          file_path: file.filePath,
        },
      });
      record.status = 200;
      return;
    }
    if (download) {
      record.kind = 'download';
      const [, token, filePath] = download;
      if (token !== options.token) return fail(401, 'Unauthorized');
      const file = filePath === undefined ? undefined : byPath.get(decodeURIComponent(filePath));
      if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
        return fail(404, 'Not Found');
      }
      const extension = file.filePath.split('.').pop()?.toLowerCase() ?? '';
      res.writeHead(200, {
        'content-type': MIME_BY_EXTENSION[extension] ?? 'application/octet-stream',
        'content-length': file.bytes.byteLength,
      });
      res.end(req.method === 'HEAD' ? undefined : Buffer.from(file.bytes));
      record.status = 200;
      return;
    }
    fail(404, 'Not Found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
    return closed;
  };
  return { url: `http://127.0.0.1:${port}`, requests, close, [Symbol.asyncDispose]: close };
}
