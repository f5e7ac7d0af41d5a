import { readFileSync } from 'node:fs';
import { type ConnectionOptions, checkServerIdentity } from 'node:tls';

/** The TLS modes a PostgreSQL connection can use, with libpq's names. */
export const DATABASE_SSL_MODES = ['disable', 'require', 'verify-full'] as const;

/** How connections to PostgreSQL use TLS. */
export type DatabaseSsl =
  /** Plain TCP. */
  | { mode: 'disable' }
  /** TLS without checking the certificate: protects against eavesdropping, not against someone in the middle. */
  | { mode: 'require' }
  /** TLS, the certificate checked against `ca` (PEM; the system CAs when absent) and the host name. */
  | { mode: 'verify-full'; ca?: string };

/** What {@link resolveDatabaseSsl} takes: the variables as the configuration read them. */
export interface DatabaseSslSettings {
  /** `DATABASE_URL`, whose `sslmode` query parameter may name the mode instead of `DATABASE_SSL`. */
  url: string | undefined;
  /** `DATABASE_SSL`. */
  mode: (typeof DATABASE_SSL_MODES)[number] | undefined;
  /** `DATABASE_SSL_CA_FILE`. */
  caFile: string | undefined;
}

/**
 * Decides the TLS mode of the database's connections. The mode is one setting that may be written in either place:
 * `DATABASE_SSL`, or `sslmode=` in `DATABASE_URL` (how hosted databases hand out their URLs). Both may be given only
 * when they agree, so that no precedence rule can silently pick the weaker one; neither → `disable`. libpq's other
 * modes are refused rather than approximated: `prefer` and `allow` fall back to plain TCP, `verify-ca` skips the
 * host name. The CA file is read here, so an unreadable one is a configuration error and not a failed connection.
 */
export function resolveDatabaseSsl(settings: DatabaseSslSettings): { ssl: DatabaseSsl; problems: string[] } {
  const problems: string[] = [];
  let fromUrl: string | null = null;
  if (settings.url) {
    const params = new URL(settings.url).searchParams;
    fromUrl = params.get('sslmode');
    for (const name of ['sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'ssl']) {
      if (params.has(name)) {
        problems.push(
          `DATABASE_URL: the ${name} parameter is not read; set DATABASE_SSL (and DATABASE_SSL_CA_FILE) instead`,
        );
      }
    }
  }
  if (fromUrl !== null && !(DATABASE_SSL_MODES as readonly string[]).includes(fromUrl)) {
    problems.push(
      `DATABASE_URL: sslmode=${fromUrl} is not supported; use disable, require or verify-full ` +
        '(prefer and allow may fall back to an unencrypted connection; verify-ca does not check the host name)',
    );
    fromUrl = null;
  }
  if (fromUrl !== null && settings.mode !== undefined && fromUrl !== settings.mode) {
    problems.push(`DATABASE_SSL=${settings.mode} and sslmode=${fromUrl} in DATABASE_URL: they disagree; set one`);
  }
  const mode = settings.mode ?? (fromUrl as DatabaseSsl['mode'] | null) ?? 'disable';
  if (settings.caFile && mode !== 'verify-full') {
    problems.push(
      `DATABASE_SSL_CA_FILE: only read with DATABASE_SSL=verify-full (${mode} does not check the certificate)`,
    );
  }
  if (problems.length > 0) return { ssl: { mode: 'disable' }, problems };
  if (mode !== 'verify-full') return { ssl: { mode }, problems };
  if (!settings.caFile) return { ssl: { mode }, problems };
  try {
    const ca = readFileSync(settings.caFile, 'utf8');
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push(`DATABASE_SSL_CA_FILE=${JSON.stringify(settings.caFile)}: not a PEM certificate file`);
    }
    return { ssl: { mode, ca }, problems };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`DATABASE_SSL_CA_FILE=${JSON.stringify(settings.caFile)}: cannot read the file (${code})`);
    return { ssl: { mode: 'disable' }, problems };
  }
}

/**
 * What node-postgres takes as its `ssl` option for a mode, connecting to `host` (the URL's host name or address).
 * verify-full checks the certificate against `host` explicitly: node-postgres hands Node the name to check only when
 * the host is a name, and for an address Node would check the certificate against `localhost` instead.
 */
export function pgSslOptions(ssl: DatabaseSsl, host: string): false | ConnectionOptions {
  switch (ssl.mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full': {
      const name = host.replace(/^\[(.*)\]$/, '$1');
      return {
        rejectUnauthorized: true,
        ...(ssl.ca ? { ca: ssl.ca } : {}),
        checkServerIdentity: (_servername, cert) => checkServerIdentity(name, cert),
      };
    }
  }
}
