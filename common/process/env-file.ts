// Reads `.env` (in the working directory, or the file ENV_FILE names) into the environment when it
// exists, before the configuration is parsed. A variable set in the real environment wins over the
// file. `.env.example` lists every variable with its default and meaning.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/** loadEnvFile(env): the path read, or null when there is no such file. */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env, file = env.ENV_FILE ?? '.env'): string | null {
  const path = resolve(file);
  if (!existsSync(path)) return null;
  const values = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  for (const [key, value] of Object.entries(values)) {
    if (env[key] === undefined) env[key] = value;
  }
  return path;
}
