// CPU time of processes from /proc/<pid>/stat (utime + stime, in clock ticks of 1/100 s on Linux),
// and finding the pids of shared servers (RabbitMQ, PostgreSQL, Redis) and of nginx's workers.
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = 100;

/** CPU seconds a process has used so far, or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Pids whose command name (/proc/<pid>/comm) is `comm`. */
export function pidsByComm(comm: string): number[] {
  return allPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
    } catch {
      return false;
    }
  });
}

/** A process and its direct children (nginx master and workers). */
export function withChildren(parent: number): number[] {
  const children = allPids().filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
    } catch {
      return false;
    }
  });
  return [parent, ...children];
}

export type PidGroups = Record<string, number[]>;
export type CpuSnapshot = Record<string, Map<number, number>>;

export function snapshot(groups: PidGroups): CpuSnapshot {
  const snap: CpuSnapshot = {};
  for (const [group, pids] of Object.entries(groups)) {
    const map = new Map<number, number>();
    for (const pid of pids) {
      const s = cpuSeconds(pid);
      if (s !== null) map.set(pid, s);
    }
    snap[group] = map;
  }
  return snap;
}

/**
 * CPU seconds per group between two snapshots. A pid present only in `after` started in between and
 * counts whole; a pid gone by `after` is lost (short-lived PostgreSQL backends, for instance).
 */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [group, map] of Object.entries(after)) {
    let sum = 0;
    for (const [pid, s] of map) sum += s - (before[group]?.get(pid) ?? 0);
    out[group] = Math.round(sum * 100) / 100;
  }
  return out;
}

/** CPU of a stretch of work per 1,000 timers: per process type, in all, and the bench process's own. */
export interface CostPerThousand {
  byProcess: Record<string, number>;
  total: number;
  benchProcess: number;
}

/**
 * costMeter(groups): starts counting the CPU of the system's processes (looked up afresh at the end:
 * PostgreSQL backends come and go) and of this process; perThousand(timers) reads it for that many timers.
 */
export function costMeter(groups: () => PidGroups): { perThousand(timers: number): CostPerThousand } {
  const before = snapshot(groups());
  const benchBefore = process.cpuUsage();
  return {
    perThousand(timers) {
      const cpu = cpuDelta(before, snapshot(groups()));
      const bench = process.cpuUsage(benchBefore);
      const perK = (seconds: number) => Math.round((seconds / (timers / 1000)) * 1000) / 1000;
      return {
        byProcess: Object.fromEntries(Object.entries(cpu).map(([group, seconds]) => [group, perK(seconds)])),
        total: perK(Object.values(cpu).reduce((a, b) => a + b, 0)),
        benchProcess: perK((bench.user + bench.system) / 1e6),
      };
    },
  };
}
