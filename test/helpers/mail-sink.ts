// A real SMTP server on loopback for the tests (the launcher's mail sink), started before a file's tests.
import { afterAll, beforeAll } from '@jest/globals';
import { MailSink } from '../../launcher/mail-sink.js';

export { MailSink, type ReceivedMail } from '../../launcher/mail-sink.js';

/** The SMTP settings of a worker that sends to a local SMTP server on `port`. */
export function smtpSettings(port: number) {
  return { SMTP_HOST: '127.0.0.1', SMTP_PORT: port, SMTP_SECURE: false, SMTP_USER: undefined, SMTP_PASSWORD: undefined, SMTP_FROM: 'Timer tests <tests@timer-service.local>', SMTP_TIMEOUT_MS: 5_000 };
}

/** A mail sink listening for the whole test file. */
export function useMailSink(): { sink: MailSink; port: number } {
  const handle = { sink: new MailSink(), port: 0 };
  beforeAll(async () => {
    handle.port = await handle.sink.listen();
  });
  afterAll(() => handle.sink.close());
  return handle;
}
