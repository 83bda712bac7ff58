// The configuration of users and tokens: token settings, the production secret rule, ADMIN_EMAILS, SMTP, .env.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEV_JWT_SECRET, jwtSecret, loadConfig } from './config.js';
import { loadEnvFile } from './env-file.js';

const strong = 'x'.repeat(32);

describe('token and mail configuration', () => {
  test('defaults: HS256, 60 minutes, open API, SMTP on the local mail sink port', () => {
    expect(loadConfig({})).toMatchObject({
      JWT_ALGORITHM: 'HS256',
      DEFAULT_EXP_DELTA_MIN: 60,
      AUTH_REQUIRED: false,
      ADMIN_EMAILS: [],
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: 1025,
      REGISTRATION_MAIL_MAX_ATTEMPTS: 10,
    });
  });

  test('only the allow-listed algorithms are accepted', () => {
    expect(loadConfig({ JWT_ALGORITHM: 'HS512' }).JWT_ALGORITHM).toBe('HS512');
    for (const bad of ['none', 'RS256', 'hs256']) expect(() => loadConfig({ JWT_ALGORITHM: bad })).toThrow(/JWT_ALGORITHM/);
  });

  test('a secret shorter than 32 bytes stops the process, naming the variable', () => {
    expect(() => loadConfig({ JWT_SECRET_KEY: 'short' })).toThrow(/JWT_SECRET_KEY: must be at least 32 bytes/);
    expect(loadConfig({ JWT_SECRET_KEY: strong }).JWT_SECRET_KEY).toBe(strong);
  });

  test('production refuses a missing secret and the development key; development falls back to it', () => {
    expect(() => jwtSecret(loadConfig({ NODE_ENV: 'production' }))).toThrow(ConfigError);
    expect(() => jwtSecret(loadConfig({ NODE_ENV: 'production' }))).toThrow(/JWT_SECRET_KEY/);
    expect(() => jwtSecret(loadConfig({ NODE_ENV: 'production', JWT_SECRET_KEY: DEV_JWT_SECRET }))).toThrow(/JWT_SECRET_KEY/);
    expect(jwtSecret(loadConfig({ NODE_ENV: 'production', JWT_SECRET_KEY: strong }))).toBe(strong);
    expect(jwtSecret(loadConfig({}))).toBe(DEV_JWT_SECRET);
  });

  test('ADMIN_EMAILS is a normalised list of emails', () => {
    expect(loadConfig({ ADMIN_EMAILS: ' Root@Example.com , ops@example.com' }).ADMIN_EMAILS).toEqual(['root@example.com', 'ops@example.com']);
    expect(() => loadConfig({ ADMIN_EMAILS: 'not-an-email' })).toThrow(/ADMIN_EMAILS/);
  });

  test('bad SMTP and token values name their variable', () => {
    expect(() => loadConfig({ SMTP_PORT: '70000' })).toThrow(/SMTP_PORT/);
    expect(() => loadConfig({ DEFAULT_EXP_DELTA_MIN: '0' })).toThrow(/DEFAULT_EXP_DELTA_MIN/);
    expect(() => loadConfig({ AUTH_REQUIRED: 'maybe' })).toThrow(/AUTH_REQUIRED/);
  });
});

describe('.env', () => {
  test('is read when present; the real environment wins; a bad value in it is reported by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envfile-'));
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nPORT=4000\nLOG_LEVEL=debug\nSMTP_PORT="2525"\n');
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn', ENV_FILE: file };
    expect(loadEnvFile(env)).toBe(file);
    expect(loadConfig(env)).toMatchObject({ PORT: 4000, LOG_LEVEL: 'warn', SMTP_PORT: 2525 });
    writeFileSync(file, 'POLLER_LEASE_MS=5\n');
    const bad: NodeJS.ProcessEnv = { ENV_FILE: file };
    loadEnvFile(bad);
    expect(() => loadConfig(bad)).toThrow(/POLLER_LEASE_MS/);
  });

  test('a missing file is no error', () => {
    expect(loadEnvFile({ ENV_FILE: join(tmpdir(), 'no-such-dir-xyz', '.env') })).toBeNull();
  });
});
