import { chaosVerdict, describeFault, type ChaosFacts, type FaultResult } from './verdict.js';
import type { Fault } from './fault-plan.js';

const plan: Fault[] = [
  { atMs: 3_000, action: 'kill', kind: 'webserver', replica: 0 },
  { atMs: 6_000, action: 'kill', kind: 'consumer', replica: 1 },
  { atMs: 9_000, action: 'kill', kind: 'timer', replica: 0 },
  { atMs: 10_000, action: 'restart-broker' },
  { atMs: 12_000, action: 'kill', kind: 'trigger', replica: 1 },
  { atMs: 15_000, action: 'kill', kind: 'trigger', replica: 0 },
  { atMs: 20_000, action: 'restart-database' },
];
const done = (at: number): FaultResult => ({ injected: true, at, detail: 'done' });
const facts = (changes: Partial<ChaosFacts> = {}): ChaosFacts => ({
  plan,
  results: plan.map((f) => done(f.atMs)),
  receiver: { failShare: 0.05, hangShare: 0.02, failed: 70, hung: 30 },
  timers: 1_500,
  accepted: 1_200,
  minAcceptedShare: 0.1,
  lost: 0,
  stuck: 0,
  ...changes,
});

test('every planned fault injected, enough accepted, nothing lost or stuck: passed', () => {
  expect(chaosVerdict(facts())).toEqual([]);
});

test('a planned fault that could not be injected, or was never attempted, is named', () => {
  const results: Array<FaultResult | undefined> = plan.map((f) => done(f.atMs));
  results[3] = { injected: false, at: 10_000, reason: 'rabbitmqctl stop exited with code 69' };
  results[4] = { injected: false, at: 12_000, reason: 'no trigger was running' };
  results[6] = undefined;
  expect(chaosVerdict(facts({ results }))).toEqual([
    'RabbitMQ restart at 10.0 s was not injected: rabbitmqctl stop exited with code 69',
    'kill -9 of trigger-2 at 12.0 s was not injected: no trigger was running',
    'PostgreSQL restart at 20.0 s was not injected: never attempted',
  ]);
});

test('a process kind whose every planned kill failed is named as never killed', () => {
  const results: Array<FaultResult | undefined> = plan.map((f) => done(f.atMs));
  results[0] = { injected: false, at: 3_000, reason: 'no webserver was running' };
  expect(chaosVerdict(facts({ results }))).toEqual(['kill -9 of webserver-1 at 3.0 s was not injected: no webserver was running', 'no webserver was killed']);
});

test('a plan too short to kill every kind, or without restarts, fails', () => {
  const short = plan.filter((f) => f.action !== 'kill' || f.kind !== 'timer');
  expect(chaosVerdict(facts({ plan: short, results: short.map((f) => done(f.atMs)) }))).toEqual(['no kill -9 of a timer was planned (the run is shorter than --kill-every times 4)']);
  const noRestarts = plan.filter((f) => f.action === 'kill');
  expect(chaosVerdict(facts({ plan: noRestarts, results: noRestarts.map((f) => done(f.atMs)) }))).toEqual(['no RabbitMQ restart was planned', 'no PostgreSQL restart was planned']);
});

test('a receiver that failed or hung no webhook though asked to fails the run; not when asked for none', () => {
  expect(chaosVerdict(facts({ receiver: { failShare: 0.05, hangShare: 0.02, failed: 0, hung: 0 } }))).toEqual([
    'the receiver answered no webhook with 500 (asked for a share of 0.05)',
    'the receiver left no webhook hanging (asked for a share of 0.02)',
  ]);
  expect(chaosVerdict(facts({ receiver: { failShare: 0, hangShare: 0, failed: 0, hung: 0 } }))).toEqual([]);
});

test('nothing accepted, or fewer than the least share, fails the run', () => {
  expect(chaosVerdict(facts({ accepted: 0 }))).toEqual(['no timer was accepted (of 1500)']);
  expect(chaosVerdict(facts({ accepted: 149 }))).toEqual(['only 149 of 1500 timers were accepted, fewer than 150 (--min-accepted 0.1)']);
  expect(chaosVerdict(facts({ accepted: 150 }))).toEqual([]);
});

test('lost or stuck timers fail the run', () => {
  expect(chaosVerdict(facts({ lost: 2, stuck: 3 }))).toEqual(['2 accepted timers were lost', '3 accepted timers are stuck (not final)']);
});

test('faults in words', () => {
  expect(plan.map(describeFault)).toEqual([
    'kill -9 of webserver-1 at 3.0 s',
    'kill -9 of consumer-2 at 6.0 s',
    'kill -9 of timer-1 at 9.0 s',
    'RabbitMQ restart at 10.0 s',
    'kill -9 of trigger-2 at 12.0 s',
    'kill -9 of trigger-1 at 15.0 s',
    'PostgreSQL restart at 20.0 s',
  ]);
});
