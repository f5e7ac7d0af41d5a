import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { traced } from '../../tracing.js';

/** One outgoing message. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer when `SMTP_URL` is set. Without it (development and tests only: production refuses to
 * start), the message is written to the log, marked as development-only, so a developer can read the code.
 */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'emailFrom'>, logger: Logger): Mailer {
  if (!config.smtpUrl) {
    return {
      async send(mail) {
        logger.warn({ devMail: mail }, 'DEVELOPMENT ONLY: no SMTP_URL, so this e-mail was logged instead of sent');
      },
      close() {},
    };
  }
  const transport: Transporter = nodemailer.createTransport(config.smtpUrl);
  // The span of a send names the server, never the URL's credentials nor the recipient.
  const server = new URL(config.smtpUrl);
  const spanAttributes = {
    'server.address': server.hostname,
    'server.port': Number(server.port) || (server.protocol === 'smtps:' ? 465 : 587),
  };
  return {
    async send(mail) {
      await traced('smtp send', spanAttributes, () =>
        transport.sendMail({ from: config.emailFrom, to: mail.to, subject: mail.subject, text: mail.text }),
      );
    },
    close() {
      transport.close();
    },
  };
}
