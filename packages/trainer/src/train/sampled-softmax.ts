// Sampled softmax: the target against S negatives shared by the whole batch, drawn from a smoothed
// popularity distribution q, with the logQ correction (logit − log(S·q)) that makes it an unbiased-ish
// estimate of the full softmax's gradient. ~V/S times cheaper than fullSoftmaxLoss; its accuracy cost
// against the full softmax is measured, not assumed (see the teacher report).
import * as tf from '@tensorflow/tfjs-core';
import { matMulTransposeB } from '../model/fast-matmul.ts';
import { gatherRows } from '../model/gather-rows.ts';
import { seededRandom } from '../data/prng.ts';

export class NegativeSampler {
  private readonly cdf: Float64Array;
  private readonly logQ: Float32Array;
  constructor(
    counts: ArrayLike<number>,
    readonly negatives: number,
    /** q ∝ (count + 1)^power: 1 = popularity, 0 = uniform. */
    power = 0.75,
  ) {
    const w = Float64Array.from(counts, (c) => Math.pow(c + 1, power));
    const total = w.reduce((s, x) => s + x, 0);
    this.cdf = new Float64Array(w.length);
    this.logQ = new Float32Array(w.length);
    let acc = 0;
    for (let i = 0; i < w.length; i++) {
      acc += w[i]! / total;
      this.cdf[i] = acc;
      this.logQ[i] = Math.log((negatives * w[i]!) / total);
    }
  }

  sample(seed: number): Int32Array {
    const random = seededRandom(seed);
    const out = new Int32Array(this.negatives);
    for (let k = 0; k < out.length; k++) {
      const u = random() * this.cdf[this.cdf.length - 1]!;
      let lo = 0;
      let hi = this.cdf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cdf[mid]! < u) lo = mid + 1;
        else hi = mid;
      }
      out[k] = lo;
    }
    return out;
  }

  /** log of the expected number of draws of each item (the logQ correction). */
  logExpected(indices: Int32Array): Float32Array {
    return Float32Array.from(indices, (i) => this.logQ[i]!);
  }
}

/**
 * Mean over positions of −log softmax over {target, negatives} of the logQ-corrected logits; a
 * negative equal to the row's target (accidental hit) is masked out.
 */
export function sampledSoftmaxLoss(
  theta: tf.Tensor2D,
  table: tf.Tensor2D,
  targets: Int32Array,
  sampler: NegativeSampler,
  seed: number,
): tf.Scalar {
  const negatives = sampler.sample(seed);
  // one gather for targets and negatives: each gather's gradient is a dense [V, N] scatter
  const rows = new Int32Array(targets.length + negatives.length);
  rows.set(targets);
  rows.set(negatives, targets.length);
  const emb = gatherRows(table, tf.tensor1d(rows, 'int32')) as tf.Tensor2D;
  const posEmb = tf.slice(emb, [0, 0], [targets.length, -1]) as tf.Tensor2D; // [P, N]
  const negEmb = tf.slice(emb, [targets.length, 0], [negatives.length, -1]) as tf.Tensor2D; // [S, N]
  const posLogit = tf.sub(
    tf.sum(tf.mul(theta, posEmb), 1, true),
    tf.tensor2d(sampler.logExpected(targets), [targets.length, 1]),
  );
  const hits = new Float32Array(targets.length * negatives.length);
  for (let p = 0; p < targets.length; p++) {
    for (let s = 0; s < negatives.length; s++)
      if (negatives[s] === targets[p]) hits[p * negatives.length + s] = -1e9;
  }
  const negLogit = tf.add(
    tf.sub(
      matMulTransposeB(theta, negEmb),
      tf.tensor2d(sampler.logExpected(negatives), [1, negatives.length]),
    ),
    tf.tensor2d(hits, [targets.length, negatives.length]),
  );
  return crossEntropyOnFirstColumn(tf.concat([posLogit, negLogit], 1) as tf.Tensor2D);
}

/**
 * mean_p −log softmax(logits_p)[0], with the gradient (softmax − e₀)/P written out: tf.logSumExp's
 * autodiff gradient goes through a broadcasting Equal that is the slowest op of a step on tfjs-wasm.
 */
export function crossEntropyOnFirstColumn(logits: tf.Tensor2D): tf.Scalar {
  const [p, c] = logits.shape;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const probs = tf.softmax(args[0] as tf.Tensor2D) as tf.Tensor2D;
    (args[1] as tf.GradSaveFunc)([probs]);
    const first = tf.slice(probs, [0, 0], [p, 1]);
    return {
      value: tf.neg(tf.mean(tf.log(tf.maximum(first, 1e-37)))),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sp = saved[0] as tf.Tensor2D;
        const shifted = tf.concat(
          [tf.sub(tf.slice(sp, [0, 0], [p, 1]), 1), tf.slice(sp, [0, 1], [p, c - 1])],
          1,
        );
        return tf.mul(shifted, tf.div(dy, p));
      },
    };
  });
  return f(logits) as tf.Scalar;
}

export function sampledSoftmaxFlops(positions: number, negatives: number, dim: number): number {
  return 3 * 2 * positions * negatives * dim;
}
