import { describe, expect, it } from 'vitest';
import { layerNormRow, linearRow, matVec, matVecPacked, packRows4 } from './linalg.ts';
import { seededRng, uniform } from './testing/random-model.ts';

describe('packed kernels', () => {
  it('matVecPacked on packRows4 rows is bit-identical to matVec, any row count (remainder rows too)', () => {
    const rng = seededRng(51);
    for (const [count, dim] of [
      [1, 5],
      [4, 8],
      [7, 3],
      [13, 16],
      [64, 33],
      [258, 12],
    ]) {
      const rows = uniform(rng, [count, dim]) as Float32Array;
      const x = uniform(rng, [dim + 2]) as Float32Array;
      const expected = new Float64Array(count + 1);
      const actual = new Float64Array(count + 1);
      matVec(rows, count, dim, x, 2, expected, 1);
      matVecPacked(packRows4(rows, count, dim), count, dim, x, 2, actual, 1);
      expect(Array.from(actual)).toEqual(Array.from(expected));
      // And they are the dot products (a wrong interleave would still be deterministic).
      for (let i = 0; i < count; i++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += rows[i * dim + d] * x[2 + d];
        expect(Math.abs(actual[1 + i] - s)).toBeLessThan(1e-9 * (1 + Math.abs(s)));
      }
    }
  });

  it('linearRow = x·W + b and layerNormRow = the LN formula, at offsets', () => {
    const rng = seededRng(52);
    const inDim = 6;
    const outDim = 5;
    const w = uniform(rng, [inDim, outDim]) as Float32Array; // W [in, out]
    const wT = new Float32Array(outDim * inDim);
    for (let r = 0; r < inDim; r++) for (let c = 0; c < outDim; c++) wT[c * inDim + r] = w[r * outDim + c];
    const bias = uniform(rng, [outDim]) as Float32Array;
    const x = uniform(rng, [inDim + 1]) as Float32Array;
    const y = new Float32Array(outDim + 2);
    linearRow(x, 1, inDim, packRows4(wT, outDim, inDim), outDim, bias, y, 2);
    for (let c = 0; c < outDim; c++) {
      let s = 0;
      for (let r = 0; r < inDim; r++) s += x[1 + r] * w[r * outDim + c];
      expect(Math.abs(y[2 + c] - (s + bias[c]))).toBeLessThan(1e-6);
    }
    const m = uniform(rng, [inDim + 3]) as Float32Array;
    const gamma = uniform(rng, [inDim]) as Float32Array;
    const beta = uniform(rng, [inDim]) as Float32Array;
    const out = new Float32Array(inDim);
    layerNormRow(m, 3, inDim, gamma, beta, 1e-6, out, 0);
    const row = Array.from(m.subarray(3));
    const mean = row.reduce((a, b) => a + b, 0) / inDim;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / inDim;
    row.forEach((v, d) =>
      expect(Math.abs(out[d] - (gamma[d] * (v - mean)) / Math.sqrt(variance + 1e-6) - beta[d])).toBeLessThan(
        1e-5,
      ),
    );
  });
});
