// Refining a fitted repeat head for the ranking metrics themselves. Likelihood (fit.ts) weighs every
// case's probability; P@10 and NDCG@10 only ask whether and where the label lands in the top 10 — a
// different optimum when a session has more items than there are slots. The metrics are piecewise
// constant in the head's parameters, so this is a coordinate search from the likelihood optimum, on
// compact cases: per case, the session items' scores and the best 10 scores of all other items suffice
// to rank the label under any head.
import { headScore, repeatFeatures, type RepeatHead } from '@session-rec/sdk/engine/repeat-head';

/** The cutoff the tuning optimises (P@10 + NDCG@10, the targets' metrics). */
export const TUNE_CUTOFF = 10;

export interface RankCase {
  /** θ·e of the session's distinct items, most recent first. */
  sessionScores: Float32Array;
  logCounts: Float64Array;
  repeatShare: number;
  /** Slot of the label among the session's items, or −1. */
  labelSlot: number;
  /** θ·e of the label. */
  labelScore: number;
  /** The best TUNE_CUTOFF scores of the items outside the session, best first. */
  topOthers: Float32Array;
  /** Items outside the session scoring above the label (a new item), capped at TUNE_CUTOFF. */
  othersAboveLabel: number;
}

/** A compact case from θ·e scores[offset … offset + V) of `session`. */
export function rankCaseOf(
  session: readonly number[],
  label: number,
  scores: Float32Array,
  offset: number,
  numItems: number,
): RankCase {
  const { items, counts, repeatShare } = repeatFeatures(session);
  const inSession = new Set(items);
  const labelScore = scores[offset + label];
  const top = new Float32Array(TUNE_CUTOFF).fill(-Infinity); // ascending: top[0] is the smallest kept
  let above = 0;
  for (let i = 0; i < numItems; i++) {
    if (inSession.has(i)) continue;
    const s = scores[offset + i];
    if (i !== label && (s > labelScore || (s === labelScore && i < label))) above++;
    if (s > top[0]) {
      let j = 0;
      while (j + 1 < TUNE_CUTOFF && top[j + 1] < s) {
        top[j] = top[j + 1];
        j++;
      }
      top[j] = s;
    }
  }
  return {
    sessionScores: Float32Array.from(items, (item) => scores[offset + item]),
    logCounts: Float64Array.from(counts, Math.log),
    repeatShare,
    labelSlot: items.indexOf(label),
    labelScore,
    topOthers: top.reverse(),
    othersAboveLabel: Math.min(above, TUNE_CUTOFF),
  };
}

/** Mean P@10 and NDCG@10 (fractions) of the cases under `head`. Ties count against the label. */
export function rankMetrics(cases: readonly RankCase[], head: RepeatHead): { p: number; ndcg: number } {
  const R = head.recency.length;
  const w = Math.fround(head.scoreWeight);
  let hits = 0;
  let dcg = 0;
  const boosted = new Float32Array(64);
  for (const c of cases) {
    const n = c.sessionScores.length;
    const share = head.repeatShareWeight * c.repeatShare;
    const b = n > boosted.length ? new Float32Array(n) : boosted;
    for (let s = 0; s < n; s++) {
      const boost = Math.fround(head.recency[Math.min(s, R - 1)] + head.countWeight * c.logCounts[s] + share);
      b[s] = headScore(c.sessionScores[s], boost, w);
    }
    let above: number;
    if (c.labelSlot >= 0) {
      const target = b[c.labelSlot];
      above = 0;
      for (let s = 0; s < n; s++) if (s !== c.labelSlot && b[s] >= target) above++;
      for (let t = 0; t < TUNE_CUTOFF && c.topOthers[t] >= target; t++) above++;
    } else {
      above = c.othersAboveLabel;
      for (let s = 0; s < n; s++) if (b[s] >= c.labelScore) above++;
    }
    if (above < TUNE_CUTOFF) {
      hits++;
      dcg += 1 / Math.log2(above + 2);
    }
  }
  const count = Math.max(cases.length, 1);
  return { p: hits / count, ndcg: dcg / count };
}

export interface TuneResult {
  head: RepeatHead;
  before: { p: number; ndcg: number };
  after: { p: number; ndcg: number };
  evaluations: number;
}

/** What the search maximises: P@10 + NDCG@10 (default) or P@10 alone. */
export type TuneObjective = 'p10+ndcg10' | 'p10';
export const TUNE_OBJECTIVES: readonly TuneObjective[] = ['p10+ndcg10', 'p10'];

/** Coordinate search on the objective from `start`, steps halving from `initialStep`. */
export function tuneRepeatHead(
  cases: readonly RankCase[],
  start: RepeatHead,
  {
    objective: which = 'p10+ndcg10',
    initialStep = 1,
    minStep = 0.01,
    sweeps = 4,
  }: { objective?: TuneObjective; initialStep?: number; minStep?: number; sweeps?: number } = {},
): TuneResult {
  const R = start.recency.length;
  const w = [...start.recency, start.countWeight, start.repeatShareWeight, start.scoreWeight];
  const headOf = (v: number[]): RepeatHead => ({
    recency: Float32Array.from(v.slice(0, R)),
    countWeight: v[R],
    repeatShareWeight: v[R + 1],
    scoreWeight: v[R + 2],
  });
  const objective = (v: number[]) => {
    const m = rankMetrics(cases, headOf(v));
    return which === 'p10' ? m.p : m.p + m.ndcg;
  };
  let best = objective(w);
  let evaluations = 1;
  const before = rankMetrics(cases, start);
  for (let step = initialStep; step >= minStep; step /= 2) {
    for (let sweep = 0; sweep < sweeps; sweep++) {
      let improved = false;
      for (let a = 0; a < w.length; a++) {
        // The score weight multiplies scores of size ~10: smaller steps for it.
        const delta = a === R + 2 ? step / 10 : step;
        for (const sign of [1, -1]) {
          const trial = w.slice();
          trial[a] += sign * delta;
          const value = objective(trial);
          evaluations++;
          if (value > best) {
            best = value;
            w[a] = trial[a];
            improved = true;
            break;
          }
        }
      }
      if (!improved) break;
    }
  }
  const head = headOf(w);
  return { head, before, after: rankMetrics(cases, head), evaluations };
}
