import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** An S3-compatible server (s3rver) on a free port, with one bucket, for the tests of the object store. */
export interface S3Server extends AsyncDisposable {
  endpoint: string;
  bucket: string;
  /** The `S3_*` variables that point a server at it. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** s3rver checks signatures against this fixed key pair. */
const KEY = 'S3RVER';

/**
 * Starts s3rver in this process, its objects in a temporary folder removed by {@link S3Server.close}.
 *
 * @example
 * await using s3 = await startS3Server();
 * await using t = await createTestApp({ env: s3.env });
 */
export async function startS3Server(bucket = 'cims-test'): Promise<S3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), 'cims-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  // Node's default keep-alive timeout (5 s) lets s3rver close an idle connection just as the AWS SDK reuses it: the
  // upload then fails with ECONNRESET, and a streamed body cannot be sent again. Real S3 keeps idle connections far
  // longer than the SDK's agent does.
  const http = (server as unknown as { httpServer: import('node:http').Server }).httpServer;
  http.keepAliveTimeout = 120_000;
  http.headersTimeout = 121_000;
  const endpoint = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= server.close().finally(() => rmSync(directory, { recursive: true, force: true }));
    return closing;
  };
  return {
    endpoint,
    bucket,
    env: { S3_BUCKET: bucket, S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: KEY, S3_SECRET_ACCESS_KEY: KEY },
    close,
    [Symbol.asyncDispose]: close,
  };
}
