// When a finished timer or task may be removed (its expires_at): the instant it finished plus its own
// retention_s, or else the configured retention of its outcome. The configured ones travel with each
// database session (createPool sets them from the configuration, retentionSessionOptions), so every
// statement that finishes a timer or task, in whichever process, reads the same ones without passing
// them along; a session opened without them (a test's pool) uses the defaults below.

/** The outcomes a retention is configured for; a skipped timer is kept as long as a cancelled one. */
export type RetentionOutcome = 'delivered' | 'cancelled' | 'failed' | 'succeeded';

/** The configured retention of each outcome, in seconds (RETENTION_*_S). */
export type RetentionDefaults = Record<RetentionOutcome, number>;

export const RETENTION_DEFAULTS_S: RetentionDefaults = { delivered: 604_800, cancelled: 604_800, failed: 2_592_000, succeeded: 604_800 };

const OUTCOMES = Object.keys(RETENTION_DEFAULTS_S) as RetentionOutcome[];
const settingOf = (outcome: RetentionOutcome) => `timer_service.retention_${outcome}_s`;

export function retentionDefaultsOf(config: { RETENTION_DELIVERED_S: number; RETENTION_CANCELLED_S: number; RETENTION_FAILED_S: number; RETENTION_SUCCEEDED_S: number }): RetentionDefaults {
  return {
    delivered: config.RETENTION_DELIVERED_S,
    cancelled: config.RETENTION_CANCELLED_S,
    failed: config.RETENTION_FAILED_S,
    succeeded: config.RETENTION_SUCCEEDED_S,
  };
}

/** The connection options (`-c name=value ...`) that give a session the configured retentions. */
export function retentionSessionOptions(defaults: RetentionDefaults): string {
  return OUTCOMES.map((outcome) => `-c ${settingOf(outcome)}=${Math.trunc(defaults[outcome])}`).join(' ');
}

// An outcome's retention in SQL: the session's setting, or the default when the session has none.
const retentionSql = (outcome: RetentionOutcome) => `coalesce(nullif(current_setting('${settingOf(outcome)}', true), '')::int, ${RETENTION_DEFAULTS_S[outcome]})`;

const OUTCOME_OF_STATE: Record<string, RetentionOutcome> = {
  delivered: 'delivered',
  cancelled: 'cancelled',
  skipped: 'cancelled',
  failed: 'failed',
  succeeded: 'succeeded',
};

/**
 * expiresAtSql(state, finished, retention): the SQL expression of a row's expires_at, given SQL
 * expressions of its new state, the instant it finished and its own retention_s: NULL unless the state
 * is a finished one (a pending row is never removed).
 */
export function expiresAtSql(state: string, finished: string, retention: string): string {
  const cases = Object.entries(OUTCOME_OF_STATE)
    .map(([name, outcome]) => `WHEN '${name}' THEN (${finished}) + make_interval(secs => coalesce(${retention}, ${retentionSql(outcome)}))`)
    .join(' ');
  return `CASE ${state} ${cases} END`;
}
