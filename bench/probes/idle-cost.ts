// What the timer service costs doing nothing: the CPU seconds each process type uses per second while
// the stack is idle (polls, heartbeats, metrics), which every timer of a moderate load pays a share of.
// usage: node --import tsx bench/probes/idle-cost.ts [SECONDS] (default 20)
import { parseOptions } from '../options.js';
import { startTimerService } from '../systems/timer-service.js';
import { cpuDelta, snapshot } from '../metrics/cpu.js';

const seconds = Number(process.argv[2] ?? 20);
const opts = parseOptions(['--port', process.env.PORT ?? '19500'])!;
const system = await startTimerService(opts);
try {
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const before = snapshot(system.pidGroups());
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu = cpuDelta(before, snapshot(system.pidGroups()));
  const perSecond = Object.fromEntries(Object.entries(cpu).map(([group, s]) => [group, Math.round((s / seconds) * 1000) / 1000]));
  const total = Object.values(cpu).reduce((a, b) => a + b, 0) / seconds;
  console.log(`idle CPU s per s over ${seconds} s: ${JSON.stringify(perSecond)} total ${total.toFixed(3)}`);
} finally {
  await system.stop();
}
