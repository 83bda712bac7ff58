// Which timer-db shard holds a timer: a stable function of its id alone.
// Jump consistent hash (Lamping & Veach, 2014) over a 64-bit FNV-1a of the id: adding a shard moves only
// 1/N of new ids. Rows already stored never move; every poller polls every shard, so a change of the
// shard count needs no migration.
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
const JUMP_MULTIPLIER = 2862933555777941757n;

function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash;
}

function jumpHash(key: bigint, buckets: number): number {
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    key = (key * JUMP_MULTIPLIER + 1n) & MASK_64;
    j = Math.floor(((b + 1) * 2 ** 31) / (Number(key >> 33n) + 1));
  }
  return b;
}

/** Zero-based shard index of a timer id among `shardCount` shards. */
export function shardOf(timerId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shard count must be a positive integer, got ${shardCount}`);
  return jumpHash(fnv1a64(timerId.toLowerCase()), shardCount);
}
