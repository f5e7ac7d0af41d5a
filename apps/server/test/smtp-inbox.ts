import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message the inbox received. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  /** The raw message (headers and body). */
  raw: string;
  /** The first 6-digit number in the body: the code of a verification or reset mail. */
  code: string | undefined;
}

/** A real SMTP server on a free local port that keeps what it receives, for tests that read mail. */
export interface SmtpInbox {
  url: string;
  mails: ReceivedMail[];
  /**
   * The newest mail to `address`, waiting for it: the wait ends when the mail arrives; `timeoutMs` only turns a mail
   * that never comes into a clear error.
   */
  latest(address: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** The `n`-th mail (1-based) to `address`, waiting for it as {@link latest} does: mail is sent in the background. */
  nth(address: string, n: number, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** A hang guard: a wait for mail ends when it arrives, long before this on any machine. */
const MAIL_TIMEOUT_MS = 30_000;

export async function startSmtpInbox(): Promise<SmtpInbox> {
  const mails: ReceivedMail[] = [];
  /** Checks run on every mail that arrives, by the waits of `latest` and `nth`. */
  const waiters = new Set<() => void>();
  const waitFor = (find: () => ReceivedMail | undefined, timeoutMs: number, what: string) =>
    new Promise<ReceivedMail>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      const check = () => {
        const found = find();
        if (!found) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        raw += chunk;
      });
      stream.on('end', () => {
        const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
        const body = rest.join('\n\n');
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject: /^Subject: (.*)$/im.exec(head)?.[1]?.trim() ?? '',
          raw,
          code: /\b(\d{6})\b/.exec(body)?.[1],
        });
        for (const check of [...waiters]) check();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    latest: (address, timeoutMs = MAIL_TIMEOUT_MS) =>
      waitFor(() => mails.filter((m) => m.to.includes(address.toLowerCase())).at(-1), timeoutMs, `mail to ${address}`),
    nth: (address, n, timeoutMs = MAIL_TIMEOUT_MS) =>
      waitFor(
        () => mails.filter((m) => m.to.includes(address.toLowerCase()))[n - 1],
        timeoutMs,
        `mail #${n} to ${address}`,
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
