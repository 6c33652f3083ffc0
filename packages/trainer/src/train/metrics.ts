// The protocol's metrics (datasets/README.md) from 1-based ranks of the labels among all items.
export const CUTOFFS = [5, 10, 20] as const;

export type Metrics = Record<string, number>;

export function metricsFromRanks(ranks: ArrayLike<number>): Metrics {
  const out: Metrics = {};
  const n = ranks.length;
  for (const k of CUTOFFS) {
    let hit = 0;
    let mrr = 0;
    let ndcg = 0;
    for (let i = 0; i < n; i++) {
      const r = ranks[i]!;
      if (r <= k) {
        hit += 1;
        mrr += 1 / r;
        ndcg += 1 / Math.log2(r + 1);
      }
    }
    out[`P@${k}`] = n ? (100 * hit) / n : 0;
    out[`MRR@${k}`] = n ? (100 * mrr) / n : 0;
    out[`NDCG@${k}`] = n ? (100 * ndcg) / n : 0;
  }
  out.cases = n;
  return out;
}
