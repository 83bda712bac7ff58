// send_registration_email: the mail a user gets after registering. POST /users enqueues it;
// it is internal, so POST /tasks refuses the type.
import { z } from 'zod';
import { defineTaskContract } from './task-contract.js';

export const REGISTRATION_MAIL_TYPE = 'send_registration_email';

export const sendRegistrationEmailContract = defineTaskContract({
  name: REGISTRATION_MAIL_TYPE,
  description: 'sends the registration mail of a user over SMTP, once',
  internal: true,
  args: z.object({ user_id: z.uuid() }).strict(),
  result: z.object({ sent: z.boolean(), reason: z.string().optional() }),
});
