// One pino logger per process; rooms take child loggers with bound fields (shard, timer_id).
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    // Callback URLs may carry credentials in their query; never log them whole. Passwords, their hashes
    // and tokens never appear either.
    redact: {
      paths: [
        'url',
        '*.url',
        'req.headers.authorization',
        'password',
        '*.password',
        'password_hash',
        '*.password_hash',
        'access_token',
        '*.access_token',
        'SMTP_PASSWORD',
        '*.SMTP_PASSWORD',
        'JWT_SECRET_KEY',
        '*.JWT_SECRET_KEY',
      ],
      censor: '[redacted]',
    },
  });
}
