import { aliveTriggerLateness, isAlive, processSummary } from './dashboard-processes.js';
import type { HeartbeatRow } from '../../common/store/heartbeats.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const INTERVAL = 5_000;

function row(type: string, seenMsAgo: number, stats: Record<string, unknown> = {}): HeartbeatRow {
  return {
    process_id: `${type}:h:1:${seenMsAgo}`,
    type,
    hostname: 'h',
    pid: 1,
    started_at: new Date(NOW - 60_000),
    last_seen_at: new Date(NOW - seenMsAgo),
    stats,
    db_now: new Date(NOW),
  };
}

test('a process is alive while its last beat is younger than three intervals', () => {
  expect(isAlive(row('timer', 0), INTERVAL)).toBe(true);
  expect(isAlive(row('timer', 3 * INTERVAL - 1), INTERVAL)).toBe(true);
  expect(isAlive(row('timer', 3 * INTERVAL), INTERVAL)).toBe(false);
});

test('every process type is listed with its alive and gone processes, also a type with none', () => {
  const summary = processSummary([row('trigger', 100), row('trigger', 60_000), row('consumer', 10)], INTERVAL);
  expect(summary.by_type).toEqual([
    { type: 'webserver', alive: 0, gone: 0 },
    { type: 'consumer', alive: 1, gone: 0 },
    { type: 'timer', alive: 0, gone: 0 },
    { type: 'trigger', alive: 1, gone: 1 },
    { type: 'worker', alive: 0, gone: 0 },
  ]);
  expect(summary.processes.map((p) => p.alive)).toEqual([true, false, true]);
});

test('the lateness histogram sums the buckets of the alive triggers only', () => {
  const buckets = (first: number, all: number) => ({
    lateness_buckets: [
      { le: '0.01', count: first },
      { le: '+Inf', count: all },
    ],
  });
  const rows = [row('trigger', 0, buckets(1, 2)), row('trigger', 1_000, buckets(3, 3)), row('trigger', 60_000, buckets(100, 100)), row('worker', 0, buckets(50, 50))];
  expect(aliveTriggerLateness(rows, INTERVAL)).toEqual([
    { le: '0.01', count: 4 },
    { le: '+Inf', count: 5 },
  ]);
});
