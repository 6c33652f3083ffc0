// One range of a recommend() that several threads share (score-pool.ts): θ·e(i) for the items
// start … end − 1, the bundle's head on those of them it touches, then their top k. The engine's main
// thread and every scoring worker run exactly this, so each item gets the same float32 score as the
// single-threaded engine, and mergeTopK of the ranges' lists is its topK.
import { applyRepeatBoosts } from '../../repeat-head.ts';
import { addPriorTerms, type PriorTerms } from '../../popularity-prior.ts';
import { topKRange } from '../../topk.ts';
import type { ScoredItem } from '../../types.ts';
import { scoreFromWords } from '../item-tables/compositional.ts';
import { scorePackedRows } from '../item-tables/tt.ts';
import type { RangeScorer } from '../item-tables/types.ts';

/** The per-query part of a range's work: the session's repeat boosts and what to leave out. */
export interface RangeQuery {
  input: Float64Array;
  k: number;
  exclude: ReadonlySet<number> | undefined;
  /** The repeat head's boosts (engine/repeat-head.ts), or count 0 when the bundle has no head. */
  boosts: { count: number; indices: ArrayLike<number>; values: ArrayLike<number>; scoreWeight: number };
}

/**
 * Range boundaries for `parts` threads: multiples of 8 (matVecPacked's row groups stay whole, so every
 * row is summed as in one pass), the last range ending at V.
 */
export function splitRanges(numItems: number, parts: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const end =
      p === parts - 1 ? numItems : Math.min(numItems, Math.ceil(((p + 1) * numItems) / parts / 8) * 8);
    ranges.push([start, Math.max(start, end)]);
    start = Math.max(start, end);
  }
  return ranges;
}

export function scoreRange(
  scorer: RangeScorer,
  prior: PriorTerms | undefined,
  q: RangeQuery,
  scores: Float32Array,
  start: number,
  end: number,
): ScoredItem[] {
  if (end <= start) return [];
  if (scorer.kind === 'code-words') {
    scoreFromWords(q.input, scorer.words, start, end, scorer.M, scorer.K, scores);
  } else {
    const { packed, count, dim, orderedTail } = scorer;
    scorePackedRows(packed, count, dim, orderedTail ?? false, q.input, scores, start, end);
  }
  // The head in the engine's order (addHeadScores): the prior, then the repeat boosts.
  if (prior !== undefined) addPriorTerms(prior, scores, 0, start, end);
  const { count, indices, values, scoreWeight } = q.boosts;
  applyRepeatBoosts(count, indices, values, scoreWeight, scores, 0, start, end);
  return topKRange(scores, start, end, q.k, q.exclude);
}
