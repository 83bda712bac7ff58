// A Prometheus histogram's cumulative bucket counts as plain JSON ({le, count}, "+Inf" last), summed
// over its other labels, and the sum of several processes' buckets: how the dashboard shows the
// lateness histogram of all running triggers together.

export interface Bucket {
  /** upper bound in the histogram's unit, as Prometheus writes it: "0.005", ..., "+Inf" */
  le: string;
  /** observations at most le (cumulative) */
  count: number;
}

/** What prom-client's `await histogram.get()` returns, as far as it is read here. */
interface HistogramValue {
  metricName?: string;
  labels: Record<string, string | number | undefined>;
  value: number;
}

const bound = (le: string) => (le === '+Inf' ? Infinity : Number(le));
const byBound = (a: Bucket, b: Bucket) => bound(a.le) - bound(b.le);

/** cumulativeBuckets(values): the _bucket series of one histogram, summed over every label but le. */
export function cumulativeBuckets(values: readonly HistogramValue[]): Bucket[] {
  const counts = new Map<string, number>();
  for (const { metricName, labels, value } of values) {
    if (labels.le === undefined || (metricName !== undefined && !metricName.endsWith('_bucket'))) continue;
    const le = String(labels.le);
    counts.set(le, (counts.get(le) ?? 0) + value);
  }
  return [...counts].map(([le, count]) => ({ le, count })).sort(byBound);
}

/** sumBuckets(lists): bucket by bucket, the sum of several histograms' buckets; malformed lists are skipped. */
export function sumBuckets(lists: readonly unknown[]): Bucket[] {
  const counts = new Map<string, number>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const bucket of list as Array<Partial<Bucket>>) {
      if (typeof bucket?.le !== 'string' || typeof bucket.count !== 'number' || !Number.isFinite(bucket.count)) continue;
      counts.set(bucket.le, (counts.get(bucket.le) ?? 0) + bucket.count);
    }
  }
  return [...counts].map(([le, count]) => ({ le, count })).sort(byBound);
}
