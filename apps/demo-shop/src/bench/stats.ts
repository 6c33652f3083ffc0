// Latency statistics. Percentiles use the nearest-rank rule (the p-th percentile is an observed value),
// which is what "p99 over 200 sessions" means without interpolation.

export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile p must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[rank - 1];
}

export function summarize(samples: readonly number[]): {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
} {
  const sorted = samples.slice().sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), mean };
}

export function median(samples: readonly number[]): number {
  return percentile(
    samples.slice().sort((a, b) => a - b),
    50,
  );
}
