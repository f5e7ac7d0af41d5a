import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The variables that may instead be given as `<NAME>_FILE=/path` (the container convention: Docker and Kubernetes
 * secrets are mounted as files, so the value never sits in the process environment or `docker inspect`). Adding a
 * secret is one line here; docs/configuration.md lists every `_FILE` name (a test checks it).
 */
export const SECRET_FILE_VARIABLES = [
  'DATABASE_URL',
  'JWT_SECRET',
  'CIMS_ENCRYPTION_KEY',
  'CIMS_ENCRYPTION_KEYS_PREVIOUS',
  'SMTP_URL',
  'CRM_CUSTOMER_API_KEY',
  'META_APP_SECRET',
  'CIMS_BOOTSTRAP_CEO_PASSWORD',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
] as const;

/** The environment with every `<NAME>_FILE` read into `<NAME>`, and what went wrong doing so. */
export interface ResolvedSecretFiles {
  env: Record<string, string | undefined>;
  /** One readable line per problem, naming the variables and the path but never a file's content. */
  problems: string[];
}

/**
 * Reads `<NAME>_FILE` for each of `names` into `<NAME>`: the file's content with its trailing line breaks removed
 * (editors and `echo` add one; a secret never ends with one). Setting both `<NAME>` and `<NAME>_FILE`, a file that
 * cannot be read, and an empty file are problems. Empty variables count as unset, as in the configuration; a relative
 * path is taken from `cwd`.
 *
 * @example
 * const { env, problems } = readSecretFiles(process.env, ['JWT_SECRET']);
 */
export function readSecretFiles(
  source: Record<string, string | undefined>,
  names: readonly string[],
  cwd = process.cwd(),
): ResolvedSecretFiles {
  const env: Record<string, string | undefined> = { ...source };
  const problems: string[] = [];
  for (const name of names) {
    const fileVariable = `${name}_FILE`;
    const file = env[fileVariable];
    delete env[fileVariable];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name} and ${fileVariable}: set one or the other, not both`);
      continue;
    }
    let content: string;
    try {
      content = readFileSync(path.resolve(cwd, file), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${fileVariable}=${JSON.stringify(file)}: cannot read the file (${code})`);
      continue;
    }
    const value = content.replace(/[\r\n]+$/, '');
    if (value === '') {
      problems.push(`${fileVariable}=${JSON.stringify(file)}: the file is empty`);
      continue;
    }
    env[name] = value;
  }
  return { env, problems };
}
