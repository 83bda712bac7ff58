// Writes bench/results/latest.json: the run's settings and one entry per system and scenario.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './result.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

export function writeResults(results: BenchResult[], meta: Record<string, unknown>): string {
  mkdirSync(RESULTS, { recursive: true });
  const file = `${RESULTS}latest.json`;
  writeFileSync(file, `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
  return file;
}
