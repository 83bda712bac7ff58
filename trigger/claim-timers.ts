// The trigger's SQL on the main timers table: claim due timers for delivery, then record outcomes.
import type { Pool } from '../common/db.js';

export type ClaimResult =
  | { kind: 'claimed'; attempt: number }
  /** another trigger holds the delivery until this instant: check again then */
  | { kind: 'held'; until: number }
  /** delivered or failed already, or unknown: a duplicate to drop */
  | { kind: 'done' };

/**
 * claimTimers(main, ids, now, claimUntil): a conditional update, so only one claimant wins a timer.
 * A timer is claimable while scheduled, or while firing under a claim that has expired (its trigger
 * died mid-delivery). One result per id, in order; a repeated id gets 'done'.
 */
export async function claimTimers(main: Pool, ids: string[], now: number, claimUntil: number): Promise<ClaimResult[]> {
  const result = await main.query<{ id: string; claimed: boolean; attempts: number; state: string; until_ms: number | null }>(
    `WITH claimed AS (
       UPDATE timers
          SET state = 'firing', attempts = attempts + 1, claim_expires_at = to_timestamp($3 / 1000.0)
        WHERE id = ANY($1::uuid[])
          AND (state = 'scheduled' OR (state = 'firing' AND claim_expires_at < to_timestamp($2 / 1000.0)))
       RETURNING id, attempts)
     SELECT t.id, c.id IS NOT NULL AS claimed, coalesce(c.attempts, t.attempts) AS attempts, t.state,
            (extract(epoch FROM t.claim_expires_at) * 1000)::bigint AS until_ms
       FROM timers t LEFT JOIN claimed c ON c.id = t.id
      WHERE t.id = ANY($1::uuid[])`,
    [ids, now, claimUntil],
  );
  const byId = new Map(result.rows.map((row) => [row.id, row]));
  const seen = new Set<string>();
  return ids.map((id): ClaimResult => {
    const row = byId.get(id);
    // The same id twice in one batch: only its first message may deliver.
    const first = !seen.has(id);
    seen.add(id);
    if (!row || !first) return { kind: 'done' };
    if (row.claimed) return { kind: 'claimed', attempt: row.attempts };
    if (row.state === 'firing' && row.until_ms !== null) return { kind: 'held', until: row.until_ms };
    return { kind: 'done' };
  });
}

export interface Outcome {
  id: string;
  delivered: boolean;
  at: number;
  status: number | null;
  error: string | null;
}

/** recordOutcomes(main, outcomes): ends each claimed attempt as delivered or failed. */
export async function recordOutcomes(main: Pool, outcomes: Outcome[]): Promise<void> {
  await main.query(
    `UPDATE timers AS t
        SET state = CASE WHEN o.delivered THEN 'delivered' ELSE 'failed' END,
            claim_expires_at = NULL,
            last_attempt_at = to_timestamp(o.at / 1000.0),
            last_status = o.status,
            last_error = o.error,
            delivered_at = CASE WHEN o.delivered THEN to_timestamp(o.at / 1000.0) END
       FROM unnest($1::uuid[], $2::boolean[], $3::float8[], $4::int[], $5::text[]) AS o(id, delivered, at, status, error)
      WHERE t.id = o.id AND t.state = 'firing'`,
    [outcomes.map((o) => o.id), outcomes.map((o) => o.delivered), outcomes.map((o) => o.at), outcomes.map((o) => o.status), outcomes.map((o) => o.error)],
  );
}
