// Passwords, their hashes, tokens and secrets never reach the log: the logger of every process
// redacts them, at the top level and one level down.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('createLogger redacts password, password_hash, access_token, SMTP_PASSWORD, JWT_SECRET_KEY and Authorization', () => {
  const script = `
    import { createLogger } from './common/observability/logger.ts';
    const log = createLogger('test', 'info');
    log.info({ password: 'p-top', password_hash: '$scrypt$h-top', access_token: 't-top', user: { password: 'p-nested', password_hash: 'h-nested' },
               config: { SMTP_PASSWORD: 's-nested', JWT_SECRET_KEY: 'k-nested' }, req: { headers: { authorization: 'Bearer t-header' } } }, 'line');`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  const line = JSON.parse(out.trim()) as Record<string, unknown>;
  for (const secret of ['p-top', 'h-top', 't-top', 'p-nested', 'h-nested', 's-nested', 'k-nested', 't-header']) expect(out).not.toContain(secret);
  expect(line).toMatchObject({ password: '[redacted]', user: { password: '[redacted]', password_hash: '[redacted]' }, msg: 'line' });
});
