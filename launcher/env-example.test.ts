import { readFileSync } from 'node:fs';
import { configSchema } from '../common/process/config.js';
import { ENV_EXAMPLE_FILE, envExample } from './env-example.js';

test('.env.example is up to date with common/process/config.ts (npm run env-example rewrites it)', () => {
  expect(readFileSync(ENV_EXAMPLE_FILE, 'utf8')).toBe(envExample());
});

test('it names every variable of the configuration, with its default', () => {
  const text = envExample();
  for (const key of Object.keys(configSchema.shape)) expect(text).toMatch(new RegExp(`^# ${key}=`, 'm'));
  expect(text).toContain('# JWT_ALGORITHM=HS256\n');
  expect(text).toContain('# DEFAULT_EXP_DELTA_MIN=60\n');
});
