// Which timer-db shard holds a timer: a stable function of its id alone.
// Jump consistent hash (Lamping & Veach, 2014) seeded with a 32-bit FNV-1a of the id and drawing its
// random steps from mulberry32: adding a shard moves only 1/N of new ids. Rows already stored never
// move; every poller polls every shard, so changing the shard count needs no migration.
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Jump hash: follow the sequence of shards the key "jumps" to until it passes the last bucket. */
function jumpHash(seed: number, buckets: number): number {
  let state = seed;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    // mulberry32 step: a uniform r in (0, 1]
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const r = (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967296;
    j = Math.floor((b + 1) / r);
  }
  return b;
}

/** Zero-based shard index of a timer id among `shardCount` shards. */
export function shardOf(timerId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shard count must be a positive integer, got ${shardCount}`);
  return jumpHash(fnv1a32(timerId.toLowerCase()), shardCount);
}
