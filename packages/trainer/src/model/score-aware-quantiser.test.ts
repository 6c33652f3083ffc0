import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../data/prng.ts';
import { cholesky, scoreAwareQuantise, secondMoment } from './score-aware-quantiser.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function gaussian(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** (1/V) Σ_i (x_i − ê_i)ᵀ S (x_i − ê_i), computed directly from codes and codebooks. */
function scoreError(
  table: Float32Array,
  codes: Int32Array,
  books: Float32Array,
  S: Float64Array,
  V: number,
  N: number,
  M: number,
  K: number,
): number {
  let total = 0;
  const diff = new Float64Array(N);
  for (let i = 0; i < V; i++) {
    for (let d = 0; d < N; d++) {
      let e = 0;
      for (let m = 0; m < M; m++) e += books[(m * K + codes[i * M + m]!) * N + d]!;
      diff[d] = table[i * N + d]! - e;
    }
    for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) total += diff[a]! * S[a * N + b]! * diff[b]!;
  }
  return total / V;
}

describe('secondMoment and cholesky', () => {
  it('S = mean θθᵀ (+ ridge on the diagonal) and L Lᵀ reproduces it', () => {
    const g = gaussian(1);
    const n = 50,
      N = 5;
    const thetas = Float32Array.from({ length: n * N }, g);
    const S = secondMoment(thetas, n, N, 0);
    for (const [a, b] of [
      [0, 0],
      [1, 3],
      [4, 2],
    ] as const) {
      let s = 0;
      for (let r = 0; r < n; r++) s += thetas[r * N + a]! * thetas[r * N + b]!;
      expect(S[a * N + b]).toBeCloseTo(s / n, 5);
      expect(S[b * N + a]).toBe(S[a * N + b]);
    }
    const L = cholesky(S, N);
    for (let i = 0; i < N; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < N; k++) s += L[i * N + k]! * L[j * N + k]!;
        expect(s).toBeCloseTo(S[i * N + j]!, 8);
        if (j > i) expect(L[i * N + j]).toBe(0);
      }
    const withRidge = secondMoment(thetas, n, N, 0.1);
    let trace = 0;
    for (let a = 0; a < N; a++) trace += S[a * N + a]!;
    expect(withRidge[2 * N + 2]! - S[2 * N + 2]!).toBeCloseTo((0.1 * trace) / N, 8);
    expect(withRidge[1 * N + 2]).toBeCloseTo(S[1 * N + 2]!, 10);
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/positive definite/);
  });
});

describe('scoreAwareQuantise', () => {
  const V = 300,
    N = 6,
    M = 2,
    K = 4;
  const g = gaussian(7);
  const table = Float32Array.from({ length: V * N }, g);

  it('without a metric: valid codes, the reported error is the true one and never rises over the sweeps', () => {
    const q = scoreAwareQuantise(table, V, N, M, K, { sweeps: 3, seed: 2 });
    expect(q.codes.length).toBe(V * M);
    for (const c of q.codes) expect(c >= 0 && c < K).toBe(true);
    const identity = Float64Array.from({ length: N * N }, (_, i) => (i % (N + 1) === 0 ? 1 : 0));
    const last = q.history[q.history.length - 1]!;
    expect(last.mse).toBeCloseTo(scoreError(table, q.codes, q.codebooks, identity, V, N, M, K), 4);
    expect(last.scoreError).toBeCloseTo(last.mse, 6);
    for (let s = 1; s < q.history.length; s++)
      expect(q.history[s]!.mse).toBeLessThanOrEqual(q.history[s - 1]!.mse + 1e-6);
    expect(last.mse).toBeLessThan(q.history[0]!.mse);
    expect(q.scoreVarianceKept).toBeGreaterThan(0);
    expect(q.scoreVarianceKept).toBeLessThan(1);
  });

  it('with a metric S: a lower (x − ê)ᵀS(x − ê) than the plain quantiser, and codebooks back in table space', () => {
    // Representations that only look along the first two axes (scaled 10×): the score error lives there.
    const n = 400;
    const thetas = Float32Array.from({ length: n * N }, (_, i) => (i % N < 2 ? 10 * g() : 0.1 * g()));
    const S = secondMoment(thetas, n, N);
    const aware = scoreAwareQuantise(table, V, N, M, K, { metric: S, sweeps: 3, seed: 2 });
    const plain = scoreAwareQuantise(table, V, N, M, K, { sweeps: 3, seed: 2 });
    const awareError = scoreError(table, aware.codes, aware.codebooks, S, V, N, M, K);
    const plainError = scoreError(table, plain.codes, plain.codebooks, S, V, N, M, K);
    expect(aware.history[aware.history.length - 1]!.scoreError).toBeCloseTo(awareError, 3);
    expect(awareError).toBeLessThan(0.7 * plainError);
  });

  it('rejects a table of the wrong size', () => {
    expect(() => scoreAwareQuantise(new Float32Array(10), 3, 4, 1, 2)).toThrow(/10 values for 3·4/);
  });
});
