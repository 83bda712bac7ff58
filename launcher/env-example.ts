// `npm run env-example`: writes `.env.example`, every variable of common/process/config.ts with its default and
// meaning, from configSchema itself; launcher/env-example.test.ts fails when the file is out of date.
// Copy it to `.env` and uncomment what you change: every process reads `.env` at start.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configSchema } from '../common/process/config.js';

export const ENV_EXAMPLE_FILE = fileURLToPath(new URL('../.env.example', import.meta.url));

function defaultOf(schema: z.ZodType): string | undefined {
  if (schema instanceof z.ZodDefault) {
    const value: unknown = (schema.def as { defaultValue: unknown }).defaultValue;
    return Array.isArray(value) ? value.join(',') : String(value);
  }
  return undefined;
}

export function envExample(): string {
  const lines = [
    '# Every variable of the timer service, with its default (generated from common/process/config.ts by',
    '# `npm run env-example`; docs/configuration.md explains them). Copy to .env and uncomment what you',
    '# change: processes read .env at start, and a variable of the real environment wins over it.',
    '',
  ];
  for (const [key, field] of Object.entries(configSchema.shape)) {
    const schema = field as z.ZodType;
    const meaning = schema.description ?? 'see docs/configuration.md';
    const fallback = defaultOf(schema);
    lines.push(`# ${meaning}`);
    lines.push(fallback === undefined ? `# ${key}=   (no default)` : `# ${key}=${fallback}`);
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(ENV_EXAMPLE_FILE, envExample());
  console.log(`wrote ${ENV_EXAMPLE_FILE}`);
}
