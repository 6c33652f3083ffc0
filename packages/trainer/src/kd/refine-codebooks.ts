// Codebook refinement for new items (beyond the paper; used with the session-repeat head). With the head
// ranking the session's own items, what the compressed table still has to do is rank the items the
// shopper has NOT seen. This refits only the M codebooks — encoder and codes frozen, θ computed once per
// case — by the full softmax over every item outside the session, on the training cases whose label is a
// new item (RepeatNet's "explore" distribution). Given θ and the codes, the logits are linear in the
// codebooks, so the loss is convex in them; Adam on minibatches. Plain TypeScript: the per-case cost is
// the LightRec lookup table (M·K·N), V·M gathers, and the same again for the gradient.

export interface CodebookModel {
  numItems: number;
  M: number;
  K: number;
  dim: number;
  /** [V × M] code of each item in each codebook. */
  codes: ArrayLike<number>;
  /** [M × K × dim], refined in place. */
  codebooks: Float32Array;
  /** [V] constant added to every item's logit: the bundle's popularity prior, when it has one. */
  prior?: Float32Array;
}

export interface ExploreCase {
  theta: Float32Array;
  /** The session's distinct items (excluded from the softmax). */
  exclude: readonly number[];
  /** A new item: not in `exclude`. */
  label: number;
}

/**
 * Adds the gradient of −log softmax_label(θ·e (+ prior) over items ∉ exclude) w.r.t. the codebooks into `grad`
 * ([M × K × dim]); returns the loss. `scratch` holds V + 2·M·K floats.
 */
export function accumulateExploreGradient(
  model: CodebookModel,
  c: ExploreCase,
  grad: Float64Array,
  scratch: Float64Array,
): number {
  const { numItems: V, M, K, dim, codes, codebooks, prior } = model;
  const MK = M * K;
  const lut = scratch.subarray(0, MK);
  const mass = scratch.subarray(MK, 2 * MK);
  const z = scratch.subarray(2 * MK, 2 * MK + V);
  for (let mk = 0; mk < MK; mk++) {
    let s = 0;
    const row = mk * dim;
    for (let d = 0; d < dim; d++) s += c.theta[d] * codebooks[row + d];
    lut[mk] = s;
  }
  let max = -Infinity;
  for (let i = 0; i < V; i++) {
    let s = prior === undefined ? 0 : prior[i];
    for (let m = 0; m < M; m++) s += lut[m * K + codes[i * M + m]];
    z[i] = s;
    if (s > max) max = s;
  }
  for (const i of c.exclude) z[i] = -Infinity;
  let total = 0;
  for (let i = 0; i < V; i++) {
    const e = Math.exp(z[i] - max);
    z[i] = e;
    total += e;
  }
  mass.fill(0);
  for (let i = 0; i < V; i++) {
    const p = z[i] / total;
    if (p === 0) continue;
    for (let m = 0; m < M; m++) mass[m * K + codes[i * M + m]] += p;
  }
  const loss = -Math.log(z[c.label] / total);
  for (let m = 0; m < M; m++) mass[m * K + codes[c.label * M + m]] -= 1;
  // d loss / d codebooks[m, k] = (Σ_{i: code_im = k} p_i − [k = code_label,m]) · θ
  for (let mk = 0; mk < MK; mk++) {
    const g = mass[mk];
    if (g === 0) continue;
    const row = mk * dim;
    for (let d = 0; d < dim; d++) grad[row + d] += g * c.theta[d];
  }
  return loss;
}

/** Adam on the codebooks (in place), one step per minibatch of cases. */
export class CodebookAdam {
  private readonly m1: Float64Array;
  private readonly m2: Float64Array;
  private t = 0;
  constructor(
    private readonly model: CodebookModel,
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m1 = new Float64Array(model.codebooks.length);
    this.m2 = new Float64Array(model.codebooks.length);
  }

  /** `grad` is the sum over `count` cases; the step uses their mean. */
  step(grad: Float64Array, count: number): void {
    this.t++;
    const { beta1, beta2 } = this;
    const c1 = 1 - Math.pow(beta1, this.t);
    const c2 = 1 - Math.pow(beta2, this.t);
    const w = this.model.codebooks;
    for (let j = 0; j < w.length; j++) {
      const g = grad[j] / count;
      this.m1[j] = beta1 * this.m1[j] + (1 - beta1) * g;
      this.m2[j] = beta2 * this.m2[j] + (1 - beta2) * g * g;
      w[j] -= (this.lr * (this.m1[j] / c1)) / (Math.sqrt(this.m2[j] / c2) + this.eps);
    }
  }
}
