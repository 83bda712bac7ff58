// The lifecycle scenario on the timer service: finished timers issued days ago, seeded straight into the
// main database's timers (their day partitions made first, as the retention process makes them ahead),
// and the retention process, run by the bench with its sweeping off or every N ms (it is restarted to
// change that). Each seeded timer is what a delivered one looks like: issued (created) at its instant,
// due 1 minute to 1 hour later, delivered on its first attempt 4 ms after that (the attempt's record
// with the receiver's answer), expiring the default 7 days after its delivery. Ids are UUIDv7 like the
// API's: the 48-bit ms of issue, random bits after.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ManagedProcess } from '../../launcher/managed-process.js';
import { freePort } from '../../launcher/free-port.js';
import { DAY_MS, PARTITIONED_TABLES, dayPartitionName, dayStart, ensureDayPartitions, idBound, tableBytes } from '../../common/store/partitions.js';
import type { LifecycleSnapshot, LifecycleSystem } from './system.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** rows per INSERT statement, and statements at once */
const CHUNK = 250_000;
const PARALLEL = 2;

const ID = `(lpad(to_hex(m.issued), 12, '0') || '7' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid`;
const ISSUED = `LATERAL (SELECT $3::bigint + ((g - 1) * $4::bigint) / $5::bigint AS issued, md5($6 || g::text) AS h) m`;
const CREATED = `to_timestamp(m.issued / 1000.0)`;
const FIRE_AT = `${CREATED} + make_interval(secs => 60 + g % 3540)`;
const ATTEMPT = `jsonb_build_array(jsonb_build_object(
  'attempt', 1, 'series', 1, 'started_at', ${FIRE_AT} + interval '1 millisecond', 'duration_ms', 3, 'status', 200, 'error', null,
  'response', jsonb_build_object('status', 200, 'headers', jsonb_build_object('content-type', 'text/plain', 'content-length', '2'),
                                 'body', 'ok', 'body_encoding', 'utf8', 'body_bytes', 2, 'body_truncated', false)))`;
const INSERT = `
  INSERT INTO timers (id, url, fire_at, created_at, state, attempts, last_attempt_at, last_status, delivered_at, attempt_log, request_id, expires_at)
  SELECT ${ID}, 'https://hooks.example.com/orders/' || (g % 100000) || '/reminder', ${FIRE_AT}, ${CREATED}, 'delivered', 1,
         ${FIRE_AT} + interval '1 millisecond', 200, ${FIRE_AT} + interval '4 milliseconds', ${ATTEMPT}, substr(h, 17, 16),
         ${FIRE_AT} + interval '4 milliseconds' + interval '7 days'
    FROM generate_series($1::bigint, $2::bigint) g, ${ISSUED}`;

/** The timers' day partitions that [fromMs, toMs) falls in. */
function dayParts(fromMs: number, toMs: number): string[] {
  const names: string[] = [];
  for (let day = dayStart(fromMs); day < toMs; day += DAY_MS) names.push(dayPartitionName('timers', day));
  return names;
}

// SQLSTATE deadlock_detected: the retention process made or dropped a partition while the sizes were read.
const DEADLOCK = '40P01';

/** Runs `read` again when PostgreSQL ended it as a deadlock's victim (the other side has gone on by then). */
async function despiteDeadlocks<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if ((err as { code?: string }).code !== DEADLOCK || attempt >= 5) throw err;
    }
  }
}

/** The lifecycle system, with the retention process's pid for the CPU accounting and the end of its pool. */
export interface TimerServiceLifecycle extends LifecycleSystem {
  pids(): number[];
  end(): Promise<void>;
}

export function timerServiceLifecycle(mainUrl: string, env: Record<string, string>, runDir: string): TimerServiceLifecycle {
  const db = new pg.Pool({ connectionString: mainUrl, max: PARALLEL + 1 });
  let seeded: { fromMs: number; toMs: number; parts: string[] } = { fromMs: 0, toMs: 0, parts: [] };
  let retention: ManagedProcess | null = null;

  const partsLeft = async (names: string[]) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relname = ANY($1::text[]) AND relkind IN ('r', 'p')`, [names])).rows[0]!.n;

  const stopRetention = async () => {
    await retention?.close();
    retention = null;
  };

  return {
    removal: 'the retention process (retention/main.ts): expired day partitions detached and dropped',
    async seed(count, fromMs, toMs) {
      seeded = { fromMs, toMs, parts: dayParts(fromMs, toMs) };
      await despiteDeadlocks(() => ensureDayPartitions(db, 'timers', fromMs, toMs));
      const tag = randomBytes(4).toString('hex');
      const chunks: Array<[number, number]> = [];
      for (let first = 1; first <= count; first += CHUNK) chunks.push([first, Math.min(count, first + CHUNK - 1)]);
      let done = 0;
      const next = async (): Promise<void> => {
        const chunk = chunks.shift();
        if (!chunk) return;
        await db.query(INSERT, [chunk[0], chunk[1], fromMs, toMs - fromMs, count, tag]);
        done += chunk[1] - chunk[0] + 1;
        if (count > CHUNK) console.log(`  ${done} / ${count} inserted`);
        return next();
      };
      await Promise.all(Array.from({ length: PARALLEL }, next));
      // As old rows would be: vacuumed and analysed long since.
      for (const name of seeded.parts) await db.query(`VACUUM ANALYZE ${name}`);
      await despiteDeadlocks(() => db.query('ANALYZE timers'));
      // Their pages written out now, not by a checkpoint during the first measured run.
      await db.query('CHECKPOINT');
    },
    snapshot: () =>
      despiteDeadlocks(async (): Promise<LifecycleSnapshot> => {
        let bytes = 0;
        for (const table of PARTITIONED_TABLES) bytes += await tableBytes(db, table);
        const { rows } = await db.query<{ bytes: string }>(
          `SELECT coalesce(sum(pg_total_relation_size(t.relid)), 0)::bigint AS bytes
             FROM unnest($1::text[]) AS p(name), pg_partition_tree(p.name::regclass) t
            WHERE NOT (t.relid::regclass::text = ANY($2::text[]))`,
          [PARTITIONED_TABLES, seeded.parts],
        );
        return { bytes, retainedBytes: Number(rows[0]!.bytes), seededParts: await partsLeft(seeded.parts) };
      }),
    seededParts: () => partsLeft(seeded.parts),
    async seededLeft() {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM timers WHERE id >= $1 AND id < $2', [idBound(seeded.fromMs), idBound(seeded.toMs)]);
      return rows[0]!.n;
    },
    async sweep(intervalMs) {
      await stopRetention();
      const metricsPort = await freePort();
      retention = new ManagedProcess({
        name: 'retention-bench',
        command: process.execPath,
        args: ['--import', 'tsx', join(ROOT, 'retention', 'main.ts')],
        // At info it logs each sweep that made or removed something (what, and when), nothing otherwise.
        env: { ...process.env, ...env, LOG_LEVEL: 'info', METRICS_PORT: String(metricsPort), RETENTION_SWEEP_INTERVAL_MS: String(intervalMs) },
        logFile: join(runDir, 'logs', 'retention-bench.log'),
        logsReady: true,
        autoRestart: false,
      });
      await retention.start();
    },
    pids: () => (retention?.pid ? [retention.pid] : []),
    close: stopRetention,
    async end() {
      await stopRetention();
      await db.end();
    },
  };
}
