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
  /** The newest mail to `address`, waiting up to `timeoutMs` for it. */
  latest(address: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** The `n`-th mail (1-based) to `address`, waiting for it: mail is sent in the background. */
  nth(address: string, n: number, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startSmtpInbox(): Promise<SmtpInbox> {
  const mails: ReceivedMail[] = [];
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
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async latest(address, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = mails.filter((m) => m.to.includes(address.toLowerCase())).at(-1);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`No mail to ${address}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async nth(address, n, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = mails.filter((m) => m.to.includes(address.toLowerCase()))[n - 1];
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`No mail #${n} to ${address}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
