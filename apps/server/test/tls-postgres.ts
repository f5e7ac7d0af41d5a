import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A throwaway PostgreSQL cluster that accepts TLS connections only, with a certificate for `localhost`. */
export interface TlsPostgres {
  /** `postgres://postgres@localhost:<port>/postgres` (add `sslmode` or `DATABASE_SSL` yourself). */
  url: string;
  /** PEM of the CA that signed the server certificate. */
  caFile: string;
  stop(): void;
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** The user the cluster runs as: initdb refuses root, so root runs it as `postgres` when that user exists. */
function clusterUser(): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()), name: 'postgres' };
}

/** Whether {@link startTlsPostgres} can run here: PostgreSQL's server tools, openssl, and a user that may run them. */
export function canStartTlsPostgres(): boolean {
  if (!has('initdb') || !has('pg_ctl') || !has('openssl')) return false;
  return process.getuid?.() !== 0 || clusterUser() !== undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Makes a CA and a server certificate for `localhost` (only that name, so a connection by IP fails host-name
 * verification), initialises a cluster in a temporary folder whose pg_hba accepts `hostssl` only, and starts it on
 * a free port on 127.0.0.1.
 */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cims-tls-pg-'));
  const user = clusterUser();
  const asUser = (command: string, args: string[]) =>
    user
      ? execFileSync('runuser', ['-u', user.name, '--', command, ...args], { stdio: 'pipe' })
      : execFileSync(command, args, { stdio: 'pipe' });
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=CIMS test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  ssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  ]);
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
  ssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  ]);
  const data = path.join(dir, 'data');
  chmodSync(dir, 0o755);
  if (user) {
    for (const file of ['server.key', 'server.pem']) chownSync(path.join(dir, file), user.uid, user.gid);
    // The data folder is made by initdb as the cluster's user; its parent must let that user create it.
    const parent = path.join(dir, 'cluster');
    execFileSync('mkdir', ['-p', parent]);
    chownSync(parent, user.uid, user.gid);
  }
  chmodSync(path.join(dir, 'server.key'), 0o600);
  const clusterDir = user ? path.join(dir, 'cluster', 'data') : data;
  asUser('initdb', ['-D', clusterDir, '-U', 'postgres', '--auth=trust', '--no-sync']);
  // TLS connections only: a connection without TLS finds no pg_hba entry and is refused.
  writeFileSync(path.join(clusterDir, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 trust\n');
  if (user) chownSync(path.join(clusterDir, 'pg_hba.conf'), user.uid, user.gid);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-c unix_socket_directories='${path.dirname(clusterDir)}'`,
    '-c ssl=on',
    `-c ssl_cert_file='${path.join(dir, 'server.pem')}'`,
    `-c ssl_key_file='${path.join(dir, 'server.key')}'`,
    '-c fsync=off',
  ].join(' ');
  asUser('pg_ctl', ['-D', clusterDir, '-o', options, '-l', path.join(path.dirname(clusterDir), 'log'), '-w', 'start']);
  return {
    url: `postgres://postgres@localhost:${port}/postgres`,
    caFile: path.join(dir, 'ca.pem'),
    stop() {
      try {
        asUser('pg_ctl', ['-D', clusterDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
