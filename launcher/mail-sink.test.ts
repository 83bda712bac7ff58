// The launcher's local mail sink: a real SMTP server on loopback that prints what the workers send.
import { smtpMailer } from '../worker/mailer.js';
import { smtpSettings } from '../test/helpers/mail-sink.js';
import { parseMail, startLocalMailSink } from './mail-sink.js';

test('npm run stack prints each mail it receives and gives the workers its SMTP settings', async () => {
  const lines: string[] = [];
  const mail = await startLocalMailSink(0, (line) => lines.push(line));
  try {
    expect(mail.env).toEqual({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(mail.port), SMTP_SECURE: 'false' });
    const text = `a line long enough to be wrapped by quoted-printable encoding, with ümlauts and = signs ${'x'.repeat(80)}`;
    await smtpMailer(smtpSettings(mail.port)).send({ to: 'someone@example.com', subject: 'hello there', text, messageId: '<m1@test>' });
    const [received] = await mail.sink.waitForMails(1);
    expect(received).toMatchObject({ to: ['someone@example.com'], subject: 'hello there', messageId: '<m1@test>', text });
    expect(lines).toEqual(['mail to someone@example.com: hello there']);
  } finally {
    await mail.sink.close();
  }
});

test('parseMail decodes base64 bodies and folded headers', () => {
  const raw = 'Subject: a folded\r\n subject\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n';
  expect(parseMail(raw)).toEqual({ subject: 'a folded subject', messageId: null, text: 'hello' });
});
