import { ConfigError, loadConfig } from './config.js';

/** The ConfigError loadConfig throws for env (fails the test when it throws nothing). */
function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: 3000,
      QUEUE_PREFIX: '',
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
      MAIN_DB_URL: 'postgres://postgres@127.0.0.1:5432/timer_main',
      SHARD_DB_URLS: ['postgres://postgres@127.0.0.1:5432/timer_shard_1', 'postgres://postgres@127.0.0.1:5432/timer_shard_2'],
      READ_YOUR_WRITES_WAIT_MS: 5_000,
      POLLER_LEASE_MS: 30_000,
    });
    for (const value of Object.values(config)) expect(value).not.toBeUndefined();
  });

  test('numbers are read from their text', () => {
    const config = loadConfig({ PORT: '8080', DB_POOL_MAX: '25', POLLER_LOOKAHEAD_MS: '0', POLLER_PUBLISH_AHEAD_MS: '0' });
    expect(config.PORT).toBe(8080);
    expect(config.DB_POOL_MAX).toBe(25);
    expect(config.POLLER_LOOKAHEAD_MS).toBe(0);
  });

  test('variables it does not know (PATH, HOME, ...) are ignored and not copied into the config', () => {
    const config = loadConfig({ PATH: '/usr/bin', HOME: '/root', PORT: '3001' });
    expect(config.PORT).toBe(3001);
    expect(config).not.toHaveProperty('PATH');
  });

  test.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['PORT', '-1'],
    ['DB_POOL_MAX', '0'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'verbose'],
    ['AMQP_URL', 'http://127.0.0.1:5672'],
    ['MAIN_DB_URL', 'mysql://root@127.0.0.1/timers'],
    ['SHARD_DB_URLS', 'postgres://127.0.0.1/shard_1,mysql://127.0.0.1/shard_2'],
    ['SHARD_DB_URLS', ' , '],
    ['QUEUE_PREFIX', 'MyStack'],
    ['QUEUE_PREFIX', 'has space'],
  ])('%s=%j is refused with a ConfigError naming the variable', (name, value) => {
    const err = configErrorOf({ [name]: value });
    expect(err.message).toMatch(new RegExp(`^\\s*${name}\\b`, 'm'));
  });

  test('every bad variable is named in the one error', () => {
    const err = configErrorOf({ PORT: 'abc', QUEUE_PREFIX: 'Caps', LOG_LEVEL: 'loud', DB_POOL_MAX: '5' });
    expect(err.message).toMatch(/PORT/);
    expect(err.message).toMatch(/QUEUE_PREFIX/);
    expect(err.message).toMatch(/LOG_LEVEL/);
    expect(err.message).not.toMatch(/DB_POOL_MAX/);
  });

  test('the QUEUE_PREFIX error says which characters are allowed', () => {
    expect(configErrorOf({ QUEUE_PREFIX: 'Prod' }).message).toMatch(/lower-case/);
  });

  test('SHARD_DB_URLS is a comma-separated list, in order, spaces and empty parts ignored', () => {
    const config = loadConfig({ SHARD_DB_URLS: ' postgres://db1/shard_a ,postgresql://db2:5433/shard_b,, postgres://db3/shard_c ,' });
    expect(config.SHARD_DB_URLS).toEqual(['postgres://db1/shard_a', 'postgresql://db2:5433/shard_b', 'postgres://db3/shard_c']);
  });

  test('a single shard URL gives a list of one', () => {
    expect(loadConfig({ SHARD_DB_URLS: 'postgres://db1/only' }).SHARD_DB_URLS).toEqual(['postgres://db1/only']);
  });

  test('valid values override the defaults', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      QUEUE_PREFIX: 'stack-2.test_',
      AMQP_URL: 'amqps://user:pw@broker:5671/vhost',
      MAIN_DB_URL: 'postgresql://u@main/timers',
    });
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      QUEUE_PREFIX: 'stack-2.test_',
      AMQP_URL: 'amqps://user:pw@broker:5671/vhost',
      MAIN_DB_URL: 'postgresql://u@main/timers',
    });
  });

  test('the result is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 1;
    }).toThrow(TypeError); // ES modules run in strict mode
    expect(config.PORT).toBe(3000);
  });

  test('each call parses afresh: one environment does not leak into the next config', () => {
    expect(loadConfig({ PORT: '4000' }).PORT).toBe(4000);
    expect(loadConfig({}).PORT).toBe(3000);
  });

  test('an empty variable counts as unset: its default applies, never a coerced 0', () => {
    const config = loadConfig({ PORT: '', READ_YOUR_WRITES_WAIT_MS: '  ', QUEUE_PREFIX: '' });
    expect(config.PORT).toBe(3000);
    expect(config.READ_YOUR_WRITES_WAIT_MS).toBe(5000);
  });

  test('the shard list of a config cannot be changed after start-up', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config.SHARD_DB_URLS)).toBe(true);
  });

  test('a poller lease shorter than its look-ahead window is refused', () => {
    expect(() => loadConfig({ POLLER_LOOKAHEAD_MS: '60000', POLLER_LEASE_MS: '30000' })).toThrow(/POLLER_LEASE_MS: must be at least POLLER_LOOKAHEAD_MS/);
    expect(loadConfig({ POLLER_LOOKAHEAD_MS: '29000', POLLER_LEASE_MS: '30000' }).POLLER_LEASE_MS).toBe(30000);
  });
  test('WEBHOOK_SIGNING_SECRETS: a comma-separated list of whsec_ secrets, empty by default, a bad one named', () => {
    const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    expect(loadConfig({}).WEBHOOK_SIGNING_SECRETS).toEqual([]);
    expect(loadConfig({ WEBHOOK_SIGNING_SECRETS: ` ${secret}, ${secret} ` }).WEBHOOK_SIGNING_SECRETS).toEqual([secret, secret]);
    expect(configErrorOf({ WEBHOOK_SIGNING_SECRETS: 'whsec_short' }).message).toMatch(/WEBHOOK_SIGNING_SECRETS.*whsec_<base64/);
  });

  test('TRUSTED_PROXIES: loopback by default; range names, addresses and CIDRs; anything else is named', () => {
    expect(loadConfig({}).TRUSTED_PROXIES).toEqual(['loopback']);
    expect(loadConfig({ TRUSTED_PROXIES: 'loopback, 172.18.0.0/16, 10.0.0.5, fd00::/8, uniquelocal' }).TRUSTED_PROXIES).toEqual(['loopback', '172.18.0.0/16', '10.0.0.5', 'fd00::/8', 'uniquelocal']);
    expect(configErrorOf({ TRUSTED_PROXIES: 'true' }).message).toMatch(/TRUSTED_PROXIES.*loopback, linklocal, uniquelocal/);
    expect(configErrorOf({ TRUSTED_PROXIES: '10.0.0.0/33' }).message).toMatch(/TRUSTED_PROXIES/);
  });

  test('failed logins are not forgotten before the longest login delay has passed', () => {
    expect(configErrorOf({ LOGIN_ADDRESS_MAX_DELAY_S: '7200' }).message).toMatch(/LOGIN_FAILURES_FORGET_S: must be at least/);
    expect(loadConfig({ LOGIN_ADDRESS_MAX_DELAY_S: '7200', LOGIN_FAILURES_FORGET_S: '7200' }).LOGIN_FAILURES_FORGET_S).toBe(7200);
  });
});
