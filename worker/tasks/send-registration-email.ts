// send_registration_email (users API): the mail a user gets after registering. POST /users enqueues it
// (internal: POST /tasks refuses the type). An unreachable SMTP server is a retryable failure: the
// task machinery retries with backoff up to REGISTRATION_MAIL_MAX_ATTEMPTS, then the task ends failed
// and visible in GET /tasks. Once sent, users.registration_mail_sent_at is set by a conditional update,
// so a redelivered or retried task finds it and sends nothing again.
import { findUser, markRegistrationMailSent, type UserRow } from '../../common/store/users.js';
import { sendRegistrationEmailContract } from '../../common/tasks/send-registration-email.js';
import { defineTask, PermanentTaskError } from './task-type.js';

export const REGISTRATION_MAIL_SUBJECT = 'Welcome to the timer service';

export function registrationMail(user: Pick<UserRow, 'id' | 'email' | 'name'>) {
  return {
    to: user.email,
    subject: REGISTRATION_MAIL_SUBJECT,
    messageId: `<registration-${user.id}@timer-service>`,
    text: [
      `Hello ${user.name ?? user.email},`,
      '',
      `your timer service account ${user.email} is registered.`,
      'Get a token with POST /token (username: your email) and send it as "Authorization: Bearer <token>";',
      'the timers and tasks you create with it are yours alone.',
      '',
      `Your user id: ${user.id}`,
    ].join('\n'),
  };
}

export const sendRegistrationEmailTask = defineTask(sendRegistrationEmailContract, async ({ user_id }, { db, mailer, log }) => {
  if (!db || !mailer) throw new PermanentTaskError('this worker has no database or mailer');
  const user = await findUser(db, user_id);
  if (!user) return { sent: false, reason: 'the user no longer exists' };
  if (user.registration_mail_sent_at) return { sent: false, reason: 'already sent' };
  await mailer.send(registrationMail(user));
  await markRegistrationMailSent(db, user.id);
  log.info({ user_id: user.id }, 'registration mail sent');
  return { sent: true };
});
