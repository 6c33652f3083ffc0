import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../data/prng.ts';
import { CompositionalItemTable } from './compositional.ts';
import { residualEncode, residualKMeans } from './residual-kmeans.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** V points, each the sum of one codeword per codebook (well separated scales) plus small noise. */
function additiveData(V: number, N: number, M: number, K: number, seed: number) {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  // codebook m at scale 4^-m, so greedy residual quantisation can peel them off in order
  const books = Float32Array.from({ length: M * K * N }, (_, i) => gauss() * 4 ** -Math.floor(i / (K * N)));
  const codes = Int32Array.from({ length: V * M }, () => Math.floor(random() * K));
  const points = new Float32Array(V * N);
  for (let i = 0; i < V; i++)
    for (let m = 0; m < M; m++)
      for (let d = 0; d < N; d++) points[i * N + d]! += books[(m * K + codes[i * M + m]!) * N + d]!;
  for (let j = 0; j < points.length; j++) points[j]! += 1e-3 * gauss();
  return { points, codes };
}

describe('residualKMeans', () => {
  it('recovers additive structure: the residual falls codebook by codebook to the noise floor', () => {
    const V = 600,
      N = 8,
      M = 2,
      K = 4;
    const { points } = additiveData(V, N, M, K, 3);
    const total = points.reduce((s, x) => s + x * x, 0) / V;
    const rq = residualKMeans(points, V, N, M, K, { iterations: 20, seed: 5 });
    expect(rq.codes.length).toBe(V * M);
    expect(rq.codebooks.length).toBe(M * K * N);
    for (const c of rq.codes) expect(c >= 0 && c < K).toBe(true);
    expect(rq.mseAfter[0]!).toBeLessThan(total);
    expect(rq.mseAfter[1]!).toBeLessThan(rq.mseAfter[0]!);
    // what is left is (close to) the 1e-3 noise, not structure: N·1e-6 per point
    expect(rq.mseAfter[1]!).toBeLessThan(0.01 * total);
    // the reported residual is the real one: Σ_m codebook[m][code] reconstructs the points
    let sq = 0;
    for (let i = 0; i < V; i++)
      for (let d = 0; d < N; d++) {
        let r = points[i * N + d]!;
        for (let m = 0; m < M; m++) r -= rq.codebooks[(m * K + rq.codes[i * M + m]!) * N + d]!;
        sq += r * r;
      }
    expect(sq / V).toBeCloseTo(rq.mseAfter[1]!, 4);
  });

  it('rejects a table of the wrong size and more codewords than items', () => {
    expect(() => residualKMeans(new Float32Array(10), 3, 4, 1, 2)).toThrow(/expected 3·4/);
    expect(() => residualKMeans(new Float32Array(12), 3, 4, 1, 8)).toThrow(/only 3 items/);
  });
});

describe('CompositionalItemTable.initFromResidualKMeans', () => {
  it('starts the argmax codes and the exported codebooks at the quantiser, and keeps them trainable', () => {
    const V = 300,
      N = 6,
      M = 2,
      K = 4;
    const { points } = additiveData(V, N, M, K, 11);
    const X = tf.tensor2d(points, [V, N]);
    const table = new CompositionalItemTable(() => X, { M, K, mixup: 0.5, seed: 2 });
    const before = table.variables().length;
    const res = table.initFromResidualKMeans({ margin: 4, seed: 9 });
    const rq = residualKMeans(points, V, N, M, K, { iterations: 15, seed: 9 });
    expect(Array.from(table.currentCodes())).toEqual(Array.from(rq.codes));
    const exported = table.exportTensors();
    expect(Array.from(exported.tensors['codebooks']!.data as Float32Array)).toEqual(Array.from(rq.codebooks));
    expect(res.mseAfter).toBeLessThan(res.mseBefore);
    expect(res.distinctCodes).toBeGreaterThan(1);
    expect(table.variables().length).toBe(before + 1); // the offsets are checkpointed and optimised
    // the per-row path agrees with the whole-table path (rows() gathers the offsets too)
    const idx = tf.tensor1d([5, 0, 299, 5], 'int32');
    const rows = table.rows(idx, { training: false });
    const all = table.embeddings({ training: false });
    expect(rows.arraySync()).toEqual(tf.gather(all, idx).arraySync());
    table.dispose();
  });
});

describe('residualEncode', () => {
  it('codes the quantiser’s own rows as residualKMeans did, and later rows by their nearest composite', () => {
    const V = 300;
    const N = 6;
    const M = 3;
    const K = 8;
    const { points } = additiveData(V, N, M, K, 9);
    const rq = residualKMeans(points, V, N, M, K, { seed: 2 });
    expect(Array.from(residualEncode(points, N, rq.codebooks, M, K))).toEqual(Array.from(rq.codes));
    // A new row: exactly a composite of existing codewords → those codewords.
    const composite = new Float32Array(N);
    const want = [5, 0, 7];
    want.forEach((k, m) => {
      for (let d = 0; d < N; d++) composite[d]! += rq.codebooks[(m * K + k) * N + d]!;
    });
    const got = Array.from(residualEncode(composite, N, rq.codebooks, M, K));
    const reconstruct = (codes: number[]) =>
      Array.from({ length: N }, (_, d) =>
        codes.reduce((sum, k, m) => sum + rq.codebooks[(m * K + k) * N + d]!, 0),
      );
    const err = (codes: number[]) =>
      reconstruct(codes).reduce((s2, x, d) => s2 + (x - composite[d]!) ** 2, 0);
    expect(err(got)).toBeLessThanOrEqual(err(want) + 1e-9);
  });
});
