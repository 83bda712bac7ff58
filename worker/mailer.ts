// Sending mail over SMTP with nodemailer, to the server of the configuration (SMTP_HOST, SMTP_PORT,
// SMTP_SECURE, SMTP_USER/SMTP_PASSWORD, SMTP_FROM). One connection per message: registration mails are
// rare, and a connection that died while idle can never fail a send.
import nodemailer from 'nodemailer';
import type { Config } from '../common/process/config.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** a fixed Message-ID per logical mail, so that a mail sent twice after a crash can be recognised */
  messageId: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export type MailSettings = Pick<Config, 'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_SECURE' | 'SMTP_USER' | 'SMTP_PASSWORD' | 'SMTP_FROM' | 'SMTP_TIMEOUT_MS'>;

export function smtpMailer(settings: MailSettings): Mailer {
  const transport = nodemailer.createTransport({
    host: settings.SMTP_HOST,
    port: settings.SMTP_PORT,
    secure: settings.SMTP_SECURE,
    auth: settings.SMTP_USER ? { user: settings.SMTP_USER, pass: settings.SMTP_PASSWORD ?? '' } : undefined,
    connectionTimeout: settings.SMTP_TIMEOUT_MS,
    greetingTimeout: settings.SMTP_TIMEOUT_MS,
    socketTimeout: settings.SMTP_TIMEOUT_MS,
  });
  return {
    async send(message) {
      await transport.sendMail({ from: settings.SMTP_FROM, to: message.to, subject: message.subject, text: message.text, messageId: message.messageId });
    },
  };
}
