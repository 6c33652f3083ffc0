// The session-repeat head (docs/model.md "Repeat head"): an optional term added to the scores of the
// items already in the session. Shoppers go back to items they clicked (45% of Tmall's test cases, 38% of
// RetailRocket's); θ·e(i) alone ranks those items poorly when e(i) is compressed, because items that share
// codewords with the clicked ones score nearly as high. The head scores the session's own items from
// features of the session alone — no item table — so it costs nothing in the compression ratio:
//
//   score'_i = score_i + scoreWeight · score_i + boost(i)
//   boost(i) = recency[min(r_i, R − 1)] + countWeight · ln(c_i) + repeatShareWeight · (1 − d / n)
//
// for each distinct item i of the session (the model's window of n clicks, d of them distinct), r_i = the
// number of distinct items clicked after i's last click (0 = the last click), c_i = i's clicks in the window,
// score_i = θ·e(i). scoreWeight < 0 lets the head trust a compressed θ·e less for the items it has direct
// evidence about. Every engine applies this before top-k; the trainer fits the parameters (`pnpm train
// repeat-head`). Engines share boost(i) from this module, so they add the same float32 values.
import { REPEAT_RECENCY_TENSOR, REPEAT_WEIGHTS_TENSOR, type ModelBundle } from '../bundle/types.ts';

export interface RepeatHead {
  /** recency[r]: bias of an item whose last click has r distinct items after it (the last entry covers the rest). */
  recency: Float32Array;
  /** Weight of ln(clicks of the item in the window). */
  countWeight: number;
  /** Weight of the session's repeat share 1 − distinct/length (same for every item of one session). */
  repeatShareWeight: number;
  /** Weight of the item's own score θ·e(i) (its score is multiplied by 1 + scoreWeight). */
  scoreWeight: number;
}

/** The distinct items of a session with their boosts, most recent first. */
export interface RepeatBoosts {
  count: number;
  indices: Uint32Array<ArrayBuffer>;
  boosts: Float32Array<ArrayBuffer>;
}

/** Features of the distinct items of a session: what the head's parameters multiply (shared with the fit). */
export interface RepeatFeatures {
  /** Distinct items, most recently clicked first. */
  items: number[];
  /** Clicks of each item in the session. */
  counts: number[];
  /** 1 − distinct / length. */
  repeatShare: number;
}

/** The bundle's repeat head, or undefined when it has none (the bundle contract checked the shapes). */
export function readRepeatHead(bundle: ModelBundle): RepeatHead | undefined {
  const recency = bundle.tensors.get(REPEAT_RECENCY_TENSOR);
  const weights = bundle.tensors.get(REPEAT_WEIGHTS_TENSOR);
  if (recency === undefined || weights === undefined) return undefined;
  return {
    recency: Float32Array.from(recency.data),
    countWeight: weights.data[0],
    repeatShareWeight: weights.data[1],
    scoreWeight: weights.data[2],
  };
}

/** Distinct items of `session` (oldest click first), most recent first, with their click counts. */
export function repeatFeatures(session: readonly number[]): RepeatFeatures {
  const items: number[] = [];
  const counts: number[] = [];
  const slot = new Map<number, number>();
  for (let t = session.length - 1; t >= 0; t--) {
    const item = session[t];
    const s = slot.get(item);
    if (s === undefined) {
      slot.set(item, items.length);
      items.push(item);
      counts.push(1);
    } else {
      counts[s]++;
    }
  }
  const repeatShare = session.length === 0 ? 0 : 1 - items.length / session.length;
  return { items, counts, repeatShare };
}

/** The head's boost for each distinct item of `session` (the model's window, oldest click first). */
export function repeatBoosts(head: RepeatHead, session: readonly number[]): RepeatBoosts {
  const { items, counts, repeatShare } = repeatFeatures(session);
  const R = head.recency.length;
  const boosts = new Float32Array(items.length);
  const shared = head.repeatShareWeight * repeatShare;
  for (let r = 0; r < items.length; r++) {
    boosts[r] = head.recency[Math.min(r, R - 1)] + head.countWeight * Math.log(counts[r]) + shared;
  }
  return { count: items.length, indices: Uint32Array.from(items), boosts };
}

/** score' = score + scoreWeight · score + boost, in float32 steps as the WebGPU kernel computes it. */
export function headScore(score: number, boost: number, scoreWeight: number): number {
  return Math.fround(score + Math.fround(Math.fround(scoreWeight * score) + boost));
}

/** Applies the head to scores[offset + item] of the session's items (the CPU engine and the evaluation). */
export function addRepeatBoosts(
  head: RepeatHead,
  session: readonly number[],
  scores: Float32Array,
  offset = 0,
): void {
  const { count, indices, boosts } = repeatBoosts(head, session);
  applyRepeatBoosts(count, indices, boosts, Math.fround(head.scoreWeight), scores, offset);
}

/**
 * scores[offset + indices[j]] = headScore(…, values[j], scoreWeight) for j < count, skipping items
 * outside [start, end) (threads scoring ranges apart each apply their own: cpu/parallel).
 */
export function applyRepeatBoosts(
  count: number,
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
  scoreWeight: number,
  scores: Float32Array,
  offset = 0,
  start = 0,
  end = Infinity,
): void {
  for (let j = 0; j < count; j++) {
    const i = indices[j];
    if (i < start || i >= end) continue;
    scores[offset + i] = headScore(scores[offset + i], values[j], scoreWeight);
  }
}
