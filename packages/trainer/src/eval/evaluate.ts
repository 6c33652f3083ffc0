// The evaluation loop of the protocol, reusable with any scorer: every case's prefix (its last maxLen
// items) is scored against ALL items and the label's rank is accumulated into the metrics.
// The CLI (`pnpm eval`) plugs in the SDK's CPU engine; trainers plug in their own scoring for validation.
import { DEFAULT_CUTOFFS, MetricAccumulator, rankOfLabel, rankOfLabelExcluding } from './metrics.ts';

export interface RankingCase {
  /** Internal item indices, oldest first. */
  prefix: ArrayLike<number>;
  label: number;
}

/** Writes every item's score for `session` into `out` (length numItems); may return `out`. */
export type ScoreAllFn = (session: readonly number[], out: Float32Array) => unknown;

export interface EvaluateOptions {
  numItems: number;
  /** The model reads only the most recent maxLen items (50 in the protocol). */
  maxLen: number;
  cutoffs?: readonly number[];
  /**
   * Rank each label among the items outside its whole prefix, as recommend({ excludeSeen: true }) (the demo
   * shop's strip) does: a repeat case is then a miss. Default false: the protocol's all-item ranking.
   */
  excludeSeen?: boolean;
  /** Called after each case with (done, total); cheap enough to call every time. */
  onProgress?: (done: number, total: number) => void;
}

/** The session a model sees for a prefix: its last maxLen items, as plain numbers. */
export function modelSession(prefix: ArrayLike<number>, maxLen: number): number[] {
  const start = Math.max(0, prefix.length - maxLen);
  const out = new Array<number>(prefix.length - start);
  for (let i = start; i < prefix.length; i++) out[i - start] = prefix[i];
  return out;
}

/** The rank of `c`'s label in `scores` (from `offset`), all items or only those outside the prefix. */
export function labelRank(
  scores: ArrayLike<number>,
  c: RankingCase,
  opts: EvaluateOptions,
  offset = 0,
): number {
  return opts.excludeSeen
    ? rankOfLabelExcluding(scores, c.label, new Set(Array.from(c.prefix)), offset, opts.numItems)
    : rankOfLabel(scores, c.label, offset, opts.numItems);
}

/** Ranks of each case's label (1-based), in case order. */
export function rankCases(
  cases: readonly RankingCase[],
  scoreAll: ScoreAllFn,
  opts: EvaluateOptions,
): Int32Array {
  const scores = new Float32Array(opts.numItems);
  const ranks = new Int32Array(cases.length);
  for (let c = 0; c < cases.length; c++) {
    scoreAll(modelSession(cases[c].prefix, opts.maxLen), scores);
    ranks[c] = labelRank(scores, cases[c], opts);
    opts.onProgress?.(c + 1, cases.length);
  }
  return ranks;
}

/** Metrics over `cases` (percent) plus `cases`: `{"P@5": …, …, "NDCG@20": …, "cases": n}`. */
export function evaluateRanking(
  cases: readonly RankingCase[],
  scoreAll: ScoreAllFn,
  opts: EvaluateOptions,
): Record<string, number> {
  const acc = new MetricAccumulator(opts.cutoffs ?? DEFAULT_CUTOFFS);
  for (const rank of rankCases(cases, scoreAll, opts)) acc.add(rank);
  return acc.result();
}
