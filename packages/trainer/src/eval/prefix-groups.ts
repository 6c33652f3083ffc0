// Scoring test cases with the CPU engine, sharing the encoder across a test session's prefixes. The
// protocol's test cases are every prefix of each test session (test.txt lists them longest first); the
// encoder is causal, so one pass over the longest prefix gives θ for all of them (engine.encodePrefixes),
// and their scores come from one table pass per 8 θs (engine.scoreThetas). Results are identical to
// scoring each case alone (bit-identical θ and scores, tested).
import type { CpuScoringEngine } from '@session-rec/sdk/engine/cpu';
import { labelRank, modelSession, rankCases, type EvaluateOptions, type RankingCase } from './evaluate.ts';

/** θs scored per table pass: 8 × V floats of scores (1.3 MB for Tmall) stay cache-friendly enough. */
const BATCH = 8;

/** True when `a` equals the first a.length items of `b`. */
function isPrefixOf(a: readonly number[], b: readonly number[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Receives case `index`'s scores: scores[offset … offset + V), valid only during the call. `session` is
 * the model's window of the case's prefix.
 */
export type ScoredCaseVisitor = (
  index: number,
  session: readonly number[],
  scores: Float32Array,
  offset: number,
) => void;

export interface ScoreCasesOptions extends EvaluateOptions {
  /**
   * Add the bundle's head — popularity prior and repeat head — (default true: what the engine recommends
   * with); false gives θ·e alone.
   */
  head?: boolean;
}

/** Scores every case through `engine` (encoder bodies of prefixes shared) and hands each to `visit`, in order. */
export function scoreCasesWithEngine(
  cases: readonly RankingCase[],
  engine: CpuScoringEngine,
  opts: ScoreCasesOptions,
  visit: ScoredCaseVisitor,
): void {
  const { numItems, maxLen } = opts;
  const withHead = opts.head ?? true;
  const scores = new Float32Array(numItems);
  if (engine.bundle.manifest.kind === 'popularity') {
    for (let c = 0; c < cases.length; c++) {
      const session = modelSession(cases[c].prefix, maxLen);
      visit(c, session, engine.scoreAll(session, scores), 0);
      opts.onProgress?.(c + 1, cases.length);
    }
    return;
  }
  const dim = engine.bundle.manifest.hyper.dim!;
  const batchThetas = new Float32Array(BATCH * dim);
  const batchScores = new Float32Array(BATCH * numItems);
  let c = 0;
  while (c < cases.length) {
    const anchor = modelSession(cases[c].prefix, maxLen);
    // The run of following cases whose sessions are prefixes of this one (within maxLen: no sliding window).
    let end = c + 1;
    const sessions = [anchor];
    while (end < cases.length && anchor.length > 0) {
      const next = modelSession(cases[end].prefix, maxLen);
      if (next.length === 0 || !isPrefixOf(next, anchor)) break;
      sessions.push(next);
      end++;
    }
    if (end - c === 1 && (withHead || anchor.length === 0)) {
      visit(c, anchor, engine.scoreAll(anchor, scores), 0);
    } else {
      // θ of every prefix in one pass, then the group's θs scored BATCH at a time (one table pass each).
      const thetas = engine.encodePrefixes(anchor)!;
      for (let first = c; first < end; first += BATCH) {
        const count = Math.min(BATCH, end - first);
        for (let b = 0; b < count; b++) {
          const n = sessions[first + b - c].length;
          batchThetas.set(thetas.subarray((n - 1) * dim, n * dim), b * dim);
        }
        engine.scoreThetas(batchThetas, count, batchScores);
        for (let b = 0; b < count; b++) {
          const session = sessions[first + b - c];
          if (withHead) engine.addHeadScores(session, batchScores, b * numItems);
          visit(first + b, session, batchScores, b * numItems);
        }
      }
    }
    c = end;
    opts.onProgress?.(c, cases.length);
  }
}

/**
 * Ranks of each case's label (1-based), in case order, through `engine` (prior and repeat head included
 * unless `opts.head` is false; `opts.excludeSeen`: among the items outside the prefix).
 */
export function rankCasesWithEngine(
  cases: readonly RankingCase[],
  engine: CpuScoringEngine,
  opts: ScoreCasesOptions,
): Int32Array {
  if (engine.bundle.manifest.kind === 'popularity') {
    return rankCases(cases, (session, out) => engine.scoreAll(session, out), opts);
  }
  const ranks = new Int32Array(cases.length);
  scoreCasesWithEngine(cases, engine, opts, (c, _session, scores, offset) => {
    ranks[c] = labelRank(scores, cases[c], opts, offset);
  });
  return ranks;
}
