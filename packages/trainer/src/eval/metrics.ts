// Ranking metrics of the protocol (datasets/README.md), in percent: P@K (hit rate), MRR@K, NDCG@K.
//
// Tie rule (the same as the engines' top-k, so the evaluation is what a browser would show):
//   rank(label) = 1 + #{i : score_i > score_label} + #{i < label : score_i = score_label},
// NaN scores rank below every number (a NaN label ranks after every non-NaN item and every lower-index NaN).
// Computing a rank is one pass over the scores, no sort.

export const DEFAULT_CUTOFFS = [5, 10, 20] as const;

function checkLabel(label: number, numItems: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= numItems)
    throw new RangeError(`label ${label} is not an item index in [0, ${numItems})`);
}

/** Rank (1-based) of item `label` among the `numItems` scores starting at scores[offset]. */
export function rankOfLabel(
  scores: ArrayLike<number>,
  label: number,
  offset = 0,
  numItems = scores.length - offset,
): number {
  checkLabel(label, numItems);
  const target = scores[offset + label];
  let above = 0;
  if (target === target) {
    // Lower indices win ties (≥), higher indices need strictly more (>). NaN never compares true.
    const mid = offset + label;
    const end = offset + numItems;
    for (let i = offset; i < mid; i++) if (scores[i] >= target) above++;
    for (let i = mid + 1; i < end; i++) if (scores[i] > target) above++;
  } else {
    for (let i = 0; i < numItems; i++) {
      const s = scores[offset + i];
      if (s === s || i < label) above++;
    }
  }
  return above + 1;
}

/**
 * rankOfLabel among the items outside `excluded` — the list recommend({ excludeSeen: true }) shows, where
 * `excluded` is the session's items. An excluded label can never be shown: rank numItems + 1, past every
 * cutoff.
 */
export function rankOfLabelExcluding(
  scores: ArrayLike<number>,
  label: number,
  excluded: ReadonlySet<number>,
  offset = 0,
  numItems = scores.length - offset,
): number {
  checkLabel(label, numItems);
  if (excluded.has(label)) return numItems + 1; // no pass over the scores: 45 % of Tmall's cases
  const rank = rankOfLabel(scores, label, offset, numItems);
  const target = scores[offset + label];
  let outranking = 0; // excluded items that rankOfLabel counted above the label (same tie and NaN rules)
  for (const i of excluded) {
    if (i < 0 || i >= numItems) continue;
    const s = scores[offset + i];
    if (target === target ? s > target || (s === target && i < label) : s === s || i < label) outranking++;
  }
  return rank - outranking;
}

/** The metric names in output order: P@K, MRR@K, NDCG@K for each cutoff. */
export function metricNames(cutoffs: readonly number[] = DEFAULT_CUTOFFS): string[] {
  return cutoffs.flatMap((k) => [`P@${k}`, `MRR@${k}`, `NDCG@${k}`]);
}

/** Sums hit, reciprocal rank and DCG per cutoff over cases; `result()` averages them in percent. */
export class MetricAccumulator {
  private readonly hits: Float64Array;
  private readonly reciprocal: Float64Array;
  private readonly dcg: Float64Array;
  private count = 0;

  constructor(readonly cutoffs: readonly number[] = DEFAULT_CUTOFFS) {
    for (const k of cutoffs)
      if (!Number.isInteger(k) || k < 1) throw new RangeError(`cutoff ${k} is not a positive integer`);
    this.hits = new Float64Array(cutoffs.length);
    this.reciprocal = new Float64Array(cutoffs.length);
    this.dcg = new Float64Array(cutoffs.length);
  }

  get cases(): number {
    return this.count;
  }

  /** Adds one case whose label has 1-based rank `rank`. */
  add(rank: number): void {
    if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`rank ${rank} is not a positive integer`);
    this.count++;
    for (let c = 0; c < this.cutoffs.length; c++) {
      if (rank <= this.cutoffs[c]) {
        this.hits[c] += 1;
        this.reciprocal[c] += 1 / rank;
        this.dcg[c] += 1 / Math.log2(rank + 1);
      }
    }
  }

  /** Adds every case of another accumulator with the same cutoffs (e.g. from a worker). */
  merge(other: MetricAccumulator): void {
    if (other.cutoffs.join() !== this.cutoffs.join())
      throw new RangeError('cannot merge accumulators with different cutoffs');
    this.count += other.count;
    for (let c = 0; c < this.cutoffs.length; c++) {
      this.hits[c] += other.hits[c];
      this.reciprocal[c] += other.reciprocal[c];
      this.dcg[c] += other.dcg[c];
    }
  }

  /** `{"P@5": …, "MRR@5": …, "NDCG@5": …, …, "cases": n}`, metrics in percent (0 when there are no cases). */
  result(): Record<string, number> {
    const out: Record<string, number> = {};
    const n = Math.max(this.count, 1);
    this.cutoffs.forEach((k, c) => {
      out[`P@${k}`] = (100 * this.hits[c]) / n;
      out[`MRR@${k}`] = (100 * this.reciprocal[c]) / n;
      out[`NDCG@${k}`] = (100 * this.dcg[c]) / n;
    });
    out.cases = this.count;
    return out;
  }
}

/** The metrics (in percent, with `cases`) of 1-based label ranks: one MetricAccumulator over them. */
export function metricsFromRanks(
  ranks: ArrayLike<number>,
  cutoffs: readonly number[] = DEFAULT_CUTOFFS,
): Metrics {
  const acc = new MetricAccumulator(cutoffs);
  for (let i = 0; i < ranks.length; i++) acc.add(ranks[i]!);
  return acc.result();
}

/** `{"P@5": …, …, "cases": n}` as MetricAccumulator.result() and metricsFromRanks return it. */
export type Metrics = Record<string, number>;

/** Metrics rounded to 4 decimals (`cases` kept whole), as `pnpm eval` prints them. */
export function roundMetrics(m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, k === 'cases' ? v : Number(v.toFixed(4))]));
}
