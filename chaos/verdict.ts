// Whether a chaos run proved anything. "Nothing lost" holds trivially when the faults did not happen or
// nothing was accepted, so the run passes only when every planned fault was injected (each kill -9
// seen to end its process, each restart completed), every process kind was killed at least once, the
// receiver did fail and leave hanging a share of webhooks as asked, enough timers were accepted, and
// then nothing accepted was lost or left stuck. Pure: what was planned and what happened are passed in.
import { KILLED_KINDS, type Fault } from './fault-plan.js';

/** What became of one planned fault, recorded as it happened. */
export type FaultResult = { injected: true; at: number; detail: string } | { injected: false; at: number; reason: string };

export interface ChaosFacts {
  plan: Fault[];
  /** results[i] is what became of plan[i]; missing when it was never attempted */
  results: Array<FaultResult | undefined>;
  receiver: {
    failShare: number;
    hangShare: number;
    /** requests the receiver answered 500 */
    failed: number;
    /** requests the receiver left hanging past the webhook timeout */
    hung: number;
  };
  /** timers the load meant to create */
  timers: number;
  accepted: number;
  /** the least share of `timers` that must be accepted for the run to prove anything */
  minAcceptedShare: number;
  lost: number;
  stuck: number;
}

/** A planned fault in words: "kill -9 of trigger-2 at 12.0 s". */
export function describeFault(fault: Fault): string {
  const at = `at ${(fault.atMs / 1000).toFixed(1)} s`;
  if (fault.action === 'kill') return `kill -9 of ${fault.kind}-${fault.replica + 1} ${at}`;
  return `${fault.action === 'restart-broker' ? 'RabbitMQ restart' : 'PostgreSQL restart'} ${at}`;
}

/** chaosVerdict(facts): why the run failed, one line each; empty when it passed. */
export function chaosVerdict(facts: ChaosFacts): string[] {
  const problems: string[] = [];
  facts.plan.forEach((fault, i) => {
    const result = facts.results[i];
    if (!result) problems.push(`${describeFault(fault)} was not injected: never attempted`);
    else if (!result.injected) problems.push(`${describeFault(fault)} was not injected: ${result.reason}`);
  });
  const killed = new Set(facts.plan.flatMap((fault, i) => (fault.action === 'kill' && facts.results[i]?.injected ? [fault.kind] : [])));
  const planned = new Set(facts.plan.flatMap((fault) => (fault.action === 'kill' ? [fault.kind] : [])));
  for (const kind of KILLED_KINDS) {
    if (!planned.has(kind)) problems.push(`no kill -9 of a ${kind} was planned (the run is shorter than --kill-every times ${KILLED_KINDS.length})`);
    else if (!killed.has(kind)) problems.push(`no ${kind} was killed`);
  }
  for (const action of ['restart-broker', 'restart-database'] as const) {
    if (!facts.plan.some((fault) => fault.action === action)) problems.push(`no ${action === 'restart-broker' ? 'RabbitMQ' : 'PostgreSQL'} restart was planned`);
  }
  if (facts.receiver.failShare > 0 && facts.receiver.failed === 0) problems.push(`the receiver answered no webhook with 500 (asked for a share of ${facts.receiver.failShare})`);
  if (facts.receiver.hangShare > 0 && facts.receiver.hung === 0) problems.push(`the receiver left no webhook hanging (asked for a share of ${facts.receiver.hangShare})`);
  const least = Math.ceil(facts.timers * facts.minAcceptedShare);
  if (facts.accepted === 0) problems.push(`no timer was accepted (of ${facts.timers})`);
  else if (facts.accepted < least) problems.push(`only ${facts.accepted} of ${facts.timers} timers were accepted, fewer than ${least} (--min-accepted ${facts.minAcceptedShare})`);
  if (facts.lost > 0) problems.push(`${facts.lost} accepted timers were lost`);
  if (facts.stuck > 0) problems.push(`${facts.stuck} accepted timers are stuck (not final)`);
  return problems;
}
