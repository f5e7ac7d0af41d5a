import type { Transporter } from 'nodemailer';
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
  const smtpUrl = config.smtpUrl;
  // nodemailer is loaded with the first message, not at start: most starts send none.
  let transport: Promise<Transporter> | undefined;
  let opened: Transporter | undefined;
  const open = () => {
    transport ??= import('nodemailer').then(({ default: nodemailer }) => {
      opened = nodemailer.createTransport(smtpUrl);
      return opened;
    });
    return transport;
  };
  // The span of a send names the server, never the URL's credentials nor the recipient.
  const server = new URL(config.smtpUrl);
  const spanAttributes = {
    'server.address': server.hostname,
    'server.port': Number(server.port) || (server.protocol === 'smtps:' ? 465 : 587),
  };
  return {
    async send(mail) {
      const smtp = await open();
      await traced('smtp send', spanAttributes, () =>
        smtp.sendMail({ from: config.emailFrom, to: mail.to, subject: mail.subject, text: mail.text }),
      );
    },
    close() {
      opened?.close();
    },
  };
}
