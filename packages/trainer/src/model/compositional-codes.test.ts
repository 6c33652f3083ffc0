import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CompositionalCodes,
  compositionalCompressionRatio,
  embeddingMixup,
  gumbelNoise,
  gumbelSoftmax,
  stopGradient,
} from './compositional-codes.ts';

// Tests run on the pure-JS cpu backend (deterministic, no wasm init).
beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomMatrix(rows: number, cols: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([rows, cols], 0, 1, 'float32', seed) as tf.Tensor2D;
}

describe('gumbelSoftmax (Eq. 14)', () => {
  it('gives probability vectors that tend to the one-hot of argmax(log α + G) as ε → 0', () => {
    const logAlpha = tf.logSoftmax(randomMatrix(64, 16, 1));
    const noise = gumbelNoise([64, 16], 7);
    const target = tf.argMax(tf.add(logAlpha, noise), 1).arraySync() as number[];
    let previousMean = 0;
    for (const eps of [1, 0.3, 0.01, 1e-5]) {
      const o = gumbelSoftmax(logAlpha, eps, noise);
      const rows = o.arraySync() as number[][];
      for (const row of rows) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const maxes = rows.map((r, i) => r[target[i]]);
      const minMax = Math.min(...maxes);
      const mean = maxes.reduce((a, b) => a + b, 0) / maxes.length;
      expect(mean).toBeGreaterThan(previousMean); // sharper as ε falls
      previousMean = mean;
      if (eps === 1e-5) expect(minMax).toBeGreaterThan(0.99);
      if (eps === 1) expect(minMax).toBeLessThan(0.99); // genuinely soft at high temperature
      // the largest component is always the noisy argmax
      rows.forEach((r, i) => expect(r.indexOf(Math.max(...r))).toBe(target[i]));
    }
  });

  it('is differentiable: finite differences match the analytic gradient', () => {
    const logits = tf.variable(randomMatrix(3, 5, 3));
    const noise = gumbelNoise([3, 5], 11);
    const weights = randomMatrix(3, 5, 4);
    const f = () => tf.sum(tf.mul(gumbelSoftmax(tf.logSoftmax(logits), 0.3, noise), weights)) as tf.Scalar;
    const { grads } = tf.variableGrads(f, [logits]);
    const g = grads[logits.name].arraySync() as number[][];
    const base = logits.arraySync() as number[][];
    const h = 1e-2;
    let nonZero = 0;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 5; j++) {
        const plus = base.map((r) => r.slice());
        plus[i][j] += h;
        const minus = base.map((r) => r.slice());
        minus[i][j] -= h;
        logits.assign(tf.tensor2d(plus));
        const fp = f().dataSync()[0];
        logits.assign(tf.tensor2d(minus));
        const fm = f().dataSync()[0];
        logits.assign(tf.tensor2d(base));
        const numeric = (fp - fm) / (2 * h);
        expect(g[i][j]).toBeCloseTo(numeric, 2);
        if (Math.abs(g[i][j]) > 1e-4) nonZero++;
      }
    }
    expect(nonZero).toBeGreaterThan(5);
  });

  it('same seed → same noise; different seed → different noise', () => {
    const a = gumbelNoise([100], 5).dataSync();
    const b = gumbelNoise([100], 5).dataSync();
    const c = gumbelNoise([100], 6).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(a).every(Number.isFinite)).toBe(true);
  });

  it('rejects a non-positive temperature', () => {
    expect(() => gumbelSoftmax(tf.zeros([2, 2]), 0, null)).toThrow(RangeError);
  });
});

describe('CompositionalCodes', () => {
  const config = { numItems: 50, dim: 8, M: 3, K: 4, gumbelTemperature: 0.3, initRange: 0.1, seed: 1 };

  it('hardCodes = argmax of α per codebook, in [0, K)', () => {
    const codes = new CompositionalCodes(config);
    const X = randomMatrix(50, 8, 2);
    const hard = codes.hardCodes(X);
    expect(hard.length).toBe(50 * 3);
    const logAlpha = codes.logAlpha(X).arraySync();
    for (let i = 0; i < 50; i++) {
      for (let m = 0; m < 3; m++) {
        const row = logAlpha[i][m];
        expect(hard[i * 3 + m]).toBe(row.indexOf(Math.max(...row)));
      }
    }
    // α is a distribution per codebook
    const alpha = tf.exp(codes.logAlpha(X)).sum(2).dataSync();
    for (const s of alpha) expect(s).toBeCloseTo(1, 5);
  });

  it('noise-free soft codes at ε → 0 compose to the embedding of the hard codes', () => {
    // Larger initial weights so α has no near-ties (the limit is exact only away from ties).
    const codes = new CompositionalCodes({ ...config, initRange: 1 });
    const X = randomMatrix(50, 8, 3);
    const soft = codes.compose(codes.softCodes(X, null, 1e-4)).arraySync();
    const hard = codes.embedHardCodes(codes.hardCodes(X)).arraySync();
    for (let i = 0; i < 50; i++) for (let n = 0; n < 8; n++) expect(soft[i][n]).toBeCloseTo(hard[i][n], 4);
  });

  it('embedHardCodes sums one codeword from each codebook (Eq. 10)', () => {
    const codes = new CompositionalCodes(config);
    const hard = Int32Array.from([0, 1, 2, 3, 3, 0]); // two items
    const e = codes.embedHardCodes(hard).arraySync();
    const book = codes.codebooks.arraySync();
    for (let item = 0; item < 2; item++) {
      for (let n = 0; n < 8; n++) {
        let expected = 0;
        for (let m = 0; m < 3; m++) expected += book[m * 4 + hard[item * 3 + m]][n];
        expect(e[item][n]).toBeCloseTo(expected, 5);
      }
    }
  });

  it('learning codes and codebooks end-to-end through Gumbel-softmax lowers L_mse (Eq. 12)', () => {
    const codes = new CompositionalCodes({ ...config, numItems: 200, M: 2, K: 8, seed: 5 });
    // Teacher embeddings with cluster structure that codes can capture.
    const centers = randomMatrix(8, 8, 9);
    const assign = tf.tensor1d(
      Array.from({ length: 200 }, (_, i) => i % 8),
      'int32',
    );
    const X = tf.add(tf.gather(centers, assign), tf.mul(randomMatrix(200, 8, 10), 0.05)) as tf.Tensor2D;
    const mseOfHard = () =>
      CompositionalCodes.mseLoss(codes.embedHardCodes(codes.hardCodes(X)), X).dataSync()[0];
    const before = mseOfHard();
    const opt = tf.train.adam(0.02);
    for (let step = 0; step < 150; step++) {
      opt.minimize(
        () => CompositionalCodes.mseLoss(codes.compose(codes.softCodes(X, 1000 + step)), X),
        false,
        codes.variables(),
      );
    }
    const after = mseOfHard();
    expect(after).toBeLessThan(before * 0.3);
  });

  it('validates its configuration', () => {
    expect(() => new CompositionalCodes({ ...config, M: 0 })).toThrow(/M must be a positive integer/);
    expect(() => new CompositionalCodes({ ...config, K: 70000 })).toThrow(/K must be ≤ 65536/);
  });
});

describe('helpers', () => {
  it('compression ratio follows Eq. 11 (Table 1: 20,000 items, N = 100)', () => {
    // Table 1 lists 2,000,000 floats; its M=2,K=8 row is 41,600 → rate 48.
    expect(Math.round(compositionalCompressionRatio(20000, 100, 2, 8))).toBe(48);
    expect(Math.round(compositionalCompressionRatio(20000, 100, 8, 512))).toBe(4); // 2e6 / 449,600
  });

  it('mixup interpolates (Eq. 16) and rejects η outside [0, 1)', () => {
    const x = tf.tensor1d([1, 1]);
    const e = tf.tensor1d([0, 2]);
    expect(Array.from(embeddingMixup(x, e, 0.8).dataSync()).map((v) => +v.toFixed(5))).toEqual([0.8, 1.2]);
    expect(() => embeddingMixup(x, e, 1)).toThrow(RangeError);
  });

  it('stopGradient passes values and blocks gradients', () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.add(tf.mul(stopGradient(v), 3), v)) as tf.Scalar, [v]);
    expect(Array.from(grads[v.name].dataSync())).toEqual([1, 1]);
    expect(Array.from(stopGradient(v).dataSync())).toEqual([1, 2]);
  });
});
