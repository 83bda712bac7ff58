import { cumulativeBuckets, sumBuckets } from './histogram-buckets.js';

test('the buckets of a labelled histogram are summed over the other labels, +Inf last', () => {
  const values = [
    { metricName: 'x_bucket', labels: { le: '+Inf', attempt: 'first' }, value: 5 },
    { metricName: 'x_bucket', labels: { le: 0.01, attempt: 'first' }, value: 3 },
    { metricName: 'x_bucket', labels: { le: 0.1, attempt: 'first' }, value: 4 },
    { metricName: 'x_bucket', labels: { le: 0.01, attempt: 'retry' }, value: 1 },
    { metricName: 'x_bucket', labels: { le: 0.1, attempt: 'retry' }, value: 1 },
    { metricName: 'x_bucket', labels: { le: '+Inf', attempt: 'retry' }, value: 2 },
    { metricName: 'x_sum', labels: { attempt: 'first' }, value: 0.7 },
    { metricName: 'x_count', labels: { attempt: 'first' }, value: 5 },
  ];
  expect(cumulativeBuckets(values)).toEqual([
    { le: '0.01', count: 4 },
    { le: '0.1', count: 5 },
    { le: '+Inf', count: 7 },
  ]);
});

test('a histogram without observations yet has no buckets', () => {
  expect(cumulativeBuckets([])).toEqual([]);
});

test("several processes' buckets add up bucket by bucket; what is not a bucket list is skipped", () => {
  const one = [
    { le: '0.01', count: 2 },
    { le: '+Inf', count: 3 },
  ];
  const two = [
    { le: '+Inf', count: 1 },
    { le: '0.01', count: 1 },
  ];
  expect(sumBuckets([one, two, undefined, 'junk', [{ le: 5 }, { le: '0.01', count: Number.NaN }]])).toEqual([
    { le: '0.01', count: 3 },
    { le: '+Inf', count: 4 },
  ]);
});
