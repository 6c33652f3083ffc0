// Fitting the session-repeat head (SDK engine/repeat-head.ts) to a trained bundle: maximum likelihood of
// the next click under softmax(θ·e + boost), with θ·e fixed. The boost is linear in the head's parameters
// and log-sum-exp is convex, so the loss is convex: Newton's method with a backtracking line search finds
// the optimum in a few dozen steps. Only the cases' session items and one log-sum-exp over the other items
// are kept per case, so the fit itself takes seconds; scoring the cases is the cost.
import { repeatFeatures, type RepeatHead } from '@session-rec/sdk/engine/repeat-head';

/** What the fit needs of one case, with logits shifted by the case's largest score (no overflow). */
export interface RepeatCase {
  /** Σ exp(score_i − max) over the items NOT in the session (the label too when it is not there). */
  rest: number;
  /** score − max of the session's distinct items, most recent first. */
  logits: Float64Array;
  /** Their scores θ·e as the engine computed them (the scoreWeight feature). */
  scores: Float64Array;
  /** ln(clicks) of those items. */
  logCounts: Float64Array;
  /** 1 − distinct / length of the session. */
  repeatShare: number;
  /** Slot of the label in `logits`, or −1 when the label is a new item. */
  labelSlot: number;
  /** score − max of the label (for the loss value). */
  labelLogit: number;
}

/** A case from the model's scores scores[offset … offset + V) (θ·e alone, no head) for `session`. */
export function repeatCaseOf(
  session: readonly number[],
  label: number,
  scores: Float32Array,
  offset: number,
  numItems: number,
): RepeatCase {
  const { items, counts, repeatShare } = repeatFeatures(session);
  let max = -Infinity;
  for (let i = 0; i < numItems; i++) if (scores[offset + i] > max) max = scores[offset + i];
  let total = 0;
  for (let i = 0; i < numItems; i++) total += Math.exp(scores[offset + i] - max);
  const logits = Float64Array.from(items, (item) => scores[offset + item] - max);
  // Summed separately and subtracted: the session's items are few, so the difference loses little.
  let sessionMass = 0;
  for (const a of logits) sessionMass += Math.exp(a);
  return {
    rest: Math.max(total - sessionMass, 0),
    logits,
    scores: Float64Array.from(items, (item) => scores[offset + item]),
    logCounts: Float64Array.from(counts, Math.log),
    repeatShare,
    labelSlot: items.indexOf(label),
    labelLogit: scores[offset + label] - max,
  };
}

export interface FitOptions {
  /** R: recency biases; items ≥ R − 1 distinct clicks back share the last. Default 10. */
  recencyRanks?: number;
  /** Ridge on the parameters (per case): keeps ranks that the data never shows near 0. Default 1e-4. */
  l2?: number;
  /** Newton steps at most. Default 50. */
  maxSteps?: number;
}

export interface FitResult {
  head: RepeatHead;
  /** Mean negative log-likelihood of the cases without the head (all parameters 0) and with it. */
  lossBefore: number;
  lossAfter: number;
  steps: number;
  /** Largest |gradient| at the end (≈ 0 at the optimum). */
  gradientMax: number;
}

/** Parameters: [recency_0 … recency_{R−1}, countWeight, repeatShareWeight, scoreWeight]. */
const DENSE = 3;

function headOf(w: Float64Array, R: number): RepeatHead {
  return {
    recency: Float32Array.from(w.subarray(0, R)),
    countWeight: w[R],
    repeatShareWeight: w[R + 1],
    scoreWeight: w[R + 2],
  };
}

/** Item s's features: a one-hot recency rank (returned) and the dense ones written into x. */
function features(c: RepeatCase, s: number, R: number, x: Float64Array): number {
  x[0] = c.logCounts[s];
  x[1] = c.repeatShare;
  x[2] = c.scores[s];
  return Math.min(s, R - 1);
}

/** Mean loss, gradient and (optionally) Hessian at w. */
function evaluate(
  cases: readonly RepeatCase[],
  w: Float64Array,
  R: number,
  l2: number,
  hessian?: Float64Array,
): { loss: number; grad: Float64Array } {
  const P = R + DENSE;
  const grad = new Float64Array(P);
  hessian?.fill(0);
  let loss = 0;
  const dense = new Float64Array(DENSE);
  const x = new Float64Array(P); // all features of one item
  const meanX = new Float64Array(P);
  for (const c of cases) {
    const n = c.logits.length;
    const z = new Float64Array(n);
    let m = 0; // the rest's mass is ≤ V·e^0 after the case's shift; m keeps every exponent ≤ 0
    for (let s = 0; s < n; s++) {
      const r = features(c, s, R, dense);
      let boost = w[r];
      for (let d = 0; d < DENSE; d++) boost += w[R + d] * dense[d];
      z[s] = c.logits[s] + boost;
      if (z[s] > m) m = z[s];
    }
    let Z = c.rest * Math.exp(-m);
    for (let s = 0; s < n; s++) Z += Math.exp(z[s] - m);
    const logZ = m + Math.log(Z);
    loss += logZ - (c.labelSlot >= 0 ? z[c.labelSlot] : c.labelLogit);
    // d loss / d z_s = p_s − [s = label]; z_s is linear in w with features x_s.
    // Hessian: Σ_s p_s x_s x_sᵀ − (Σ_s p_s x_s)(Σ_s p_s x_s)ᵀ.
    meanX.fill(0);
    for (let s = 0; s < n; s++) {
      const p = Math.exp(z[s] - logZ);
      const g = p - (s === c.labelSlot ? 1 : 0);
      x.fill(0);
      x[features(c, s, R, dense)] = 1;
      x.set(dense, R);
      for (let a = 0; a < P; a++) {
        if (x[a] === 0) continue;
        grad[a] += g * x[a];
        if (hessian === undefined) continue;
        meanX[a] += p * x[a];
        for (let b = 0; b < P; b++) hessian[a * P + b] += p * x[a] * x[b];
      }
    }
    if (hessian !== undefined) {
      for (let a = 0; a < P; a++) {
        if (meanX[a] === 0) continue;
        for (let b = 0; b < P; b++) hessian[a * P + b] -= meanX[a] * meanX[b];
      }
    }
  }
  const count = Math.max(cases.length, 1);
  for (let a = 0; a < P; a++) grad[a] = grad[a] / count + 2 * l2 * w[a];
  if (hessian !== undefined) {
    for (let a = 0; a < P * P; a++) hessian[a] /= count;
    for (let a = 0; a < P; a++) hessian[a * P + a] += 2 * l2;
  }
  let penalty = 0;
  for (let a = 0; a < P; a++) penalty += w[a] * w[a];
  return { loss: loss / count + l2 * penalty, grad };
}

/** Solves H d = g (H symmetric positive definite: the ridge makes it so) by Gaussian elimination. */
function solve(H: Float64Array, g: Float64Array): Float64Array {
  const P = g.length;
  const A = Float64Array.from(H);
  const d = Float64Array.from(g);
  for (let k = 0; k < P; k++) {
    let pivot = k;
    for (let i = k + 1; i < P; i++) if (Math.abs(A[i * P + k]) > Math.abs(A[pivot * P + k])) pivot = i;
    if (pivot !== k) {
      for (let j = 0; j < P; j++) [A[k * P + j], A[pivot * P + j]] = [A[pivot * P + j], A[k * P + j]];
      [d[k], d[pivot]] = [d[pivot], d[k]];
    }
    for (let i = k + 1; i < P; i++) {
      const f = A[i * P + k] / A[k * P + k];
      for (let j = k; j < P; j++) A[i * P + j] -= f * A[k * P + j];
      d[i] -= f * d[k];
    }
  }
  for (let k = P - 1; k >= 0; k--) {
    let s = d[k];
    for (let j = k + 1; j < P; j++) s -= A[k * P + j] * d[j];
    d[k] = s / A[k * P + k];
  }
  return d;
}

/** The head that maximises the likelihood of the cases' labels (convex: the global optimum). */
export function fitRepeatHead(cases: readonly RepeatCase[], opts: FitOptions = {}): FitResult {
  const R = opts.recencyRanks ?? 10;
  const l2 = opts.l2 ?? 1e-4;
  const maxSteps = opts.maxSteps ?? 50;
  if (!Number.isInteger(R) || R < 1)
    throw new RangeError(`recencyRanks must be a positive integer, got ${R}`);
  if (cases.length === 0) throw new RangeError('fitRepeatHead needs at least one case');
  const P = R + DENSE;
  let w = new Float64Array(P);
  const H = new Float64Array(P * P);
  let current = evaluate(cases, w, R, l2, H);
  const lossBefore = current.loss;
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    const gMax = Math.max(...Array.from(current.grad, Math.abs));
    if (gMax < 1e-7) break;
    const direction = solve(H, current.grad);
    // Backtracking (Armijo) line search along the Newton direction.
    let t = 1;
    const slope = direction.reduce((s, d, a) => s + d * current.grad[a], 0);
    let next = w;
    let trial = current;
    for (let tries = 0; tries < 30; tries++) {
      next = Float64Array.from(w, (v, a) => v - t * direction[a]);
      trial = evaluate(cases, next, R, l2);
      if (trial.loss <= current.loss - 1e-4 * t * slope) break;
      t /= 2;
    }
    if (trial.loss > current.loss) break; // no descent left: at the optimum up to rounding
    w = next;
    current = evaluate(cases, w, R, l2, H);
  }
  return {
    head: headOf(w, R),
    lossBefore,
    lossAfter: current.loss,
    steps,
    gradientMax: Math.max(...Array.from(current.grad, Math.abs)),
  };
}
