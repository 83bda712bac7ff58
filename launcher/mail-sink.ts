// A local SMTP server that keeps what it receives: `npm run stack` starts one on loopback (workers send
// the registration mail to it and each mail is printed), and the tests use it as the real SMTP server
// of a worker. It takes any sender and recipient, without authentication or TLS.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string | null;
  to: string[];
  subject: string;
  messageId: string | null;
  /** the body as text (quoted-printable and base64 decoded) */
  text: string;
  raw: string;
}

function headerOf(head: string, name: string): string | null {
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line === undefined ? null : line.slice(name.length + 1).trim();
}

/** Splits a message into its subject, Message-ID and decoded text body (single-part text mails). */
export function parseMail(raw: string): Pick<ReceivedMail, 'subject' | 'messageId' | 'text'> {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  let body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const encoding = (headerOf(head, 'Content-Transfer-Encoding') ?? '7bit').toLowerCase();
  if (encoding === 'quoted-printable') {
    body = Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  } else if (encoding === 'base64') {
    body = Buffer.from(body, 'base64').toString('utf8');
  }
  return { subject: headerOf(head, 'Subject') ?? '', messageId: headerOf(head, 'Message-ID'), text: body.replace(/\r\n/g, '\n').replace(/\n+$/, '') };
}

export class MailSink extends EventEmitter<{ mail: [ReceivedMail] }> {
  readonly mails: ReceivedMail[] = [];
  private readonly server: SMTPServer;

  constructor() {
    super();
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const mail: ReceivedMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            to: session.envelope.rcptTo.map((r) => r.address),
            ...parseMail(raw),
            raw,
          };
          this.mails.push(mail);
          callback();
          this.emit('mail', mail);
        });
      },
    });
    this.server.on('error', () => undefined);
  }

  /** Listens on host:port (0: any free port); resolves with the port. */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.server.off('error', reject);
        resolve((this.server.server.address() as AddressInfo).port);
      });
    });
  }

  /** Resolves once at least `count` mails have arrived. */
  waitForMails(count: number): Promise<ReceivedMail[]> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.mails.length < count) return;
        this.off('mail', check);
        resolve(this.mails.slice());
      };
      this.on('mail', check);
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * For `npm run stack`: a mail sink on 127.0.0.1:port that prints each mail (recipient, subject), and the
 * SMTP settings that make the workers send to it.
 */
export async function startLocalMailSink(port: number, print: (line: string) => void): Promise<{ sink: MailSink; port: number; env: Record<string, string> }> {
  const sink = new MailSink();
  const bound = await sink.listen(port);
  sink.on('mail', (mail) => print(`mail to ${mail.to.join(', ')}: ${mail.subject}`));
  return { sink, port: bound, env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(bound), SMTP_SECURE: 'false' } };
}
