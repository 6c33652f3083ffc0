import { describe, expect, it } from 'vitest';
import { seededRandom } from '@session-rec/sdk/random';
import { restrictTailCodes, sortCodewordsByUse, type CodeTable } from './mgqe.ts';

function randomTable(seed: number, V = 200, M = 3, K = 16, dim = 8): CodeTable {
  const rand = seededRandom(seed);
  // Skewed code use, as in a trained table: low codes drawn more often after a shuffle of labels.
  const codes = Uint8Array.from({ length: V * M }, () => Math.floor(K * rand() ** 2));
  const codebooks = Float32Array.from({ length: M * K * dim }, () => rand() * 2 - 1);
  return { numItems: V, M, K, dim, codes, codebooks };
}

function embedding(t: CodeTable, i: number): Float64Array {
  const e = new Float64Array(t.dim);
  for (let m = 0; m < t.M; m++) {
    const off = (m * t.K + t.codes[i * t.M + m]!) * t.dim;
    for (let d = 0; d < t.dim; d++) e[d]! += t.codebooks[off + d]!;
  }
  return e;
}

const squaredDistance = (a: Float64Array, b: Float64Array) => a.reduce((s, x, d) => s + (x - b[d]!) ** 2, 0);

describe('sortCodewordsByUse', () => {
  it('relabels codewords most-used first and leaves every embedding as it was', () => {
    const t = randomTable(1);
    // Reverse the skew so that the sort has work to do.
    for (let i = 0; i < t.codes.length; i++) t.codes[i] = t.K - 1 - t.codes[i]!;
    const before = Array.from({ length: t.numItems }, (_, i) => embedding(t, i));
    const counted = (i: number) => i % 2 === 0;
    sortCodewordsByUse(t, counted);
    for (let i = 0; i < t.numItems; i++)
      expect(squaredDistance(embedding(t, i), before[i]!)).toBeLessThan(1e-10);
    for (let m = 0; m < t.M; m++) {
      const uses = new Array<number>(t.K).fill(0);
      for (let i = 0; i < t.numItems; i += 2) uses[t.codes[i * t.M + m]!]++;
      for (let k = 1; k < t.K; k++) expect(uses[k]).toBeLessThanOrEqual(uses[k - 1]!);
    }
  });
});

describe('restrictTailCodes', () => {
  it('puts every tail item inside the first tailK codewords; head items and items already inside are untouched', () => {
    const t = randomTable(2);
    const isTail = Uint8Array.from({ length: t.numItems }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const codesBefore = t.codes.slice();
    const report = restrictTailCodes(t, isTail, 4);
    let moved = 0;
    for (let i = 0; i < t.numItems; i++) {
      const row = (c: ArrayLike<number>) => Array.from({ length: t.M }, (_, m) => c[i * t.M + m]!);
      const wasInside = row(codesBefore).every((c) => c < 4);
      if (!isTail[i] || wasInside) expect(row(t.codes)).toEqual(row(codesBefore));
      else {
        moved++;
        expect(Math.max(...row(t.codes))).toBeLessThan(4);
      }
    }
    expect(report.tailItems).toBe(160);
    expect(report.moved).toBe(moved);
    expect(moved).toBeGreaterThan(50);
  });

  it('lands on a coordinate-wise optimum: no single allowed code change brings an item closer', () => {
    const t = randomTable(3);
    const before = Array.from({ length: t.numItems }, (_, i) => embedding(t, i));
    const isTail = new Uint8Array(t.numItems).fill(1);
    const tailK = 6;
    const report = restrictTailCodes(t, isTail, tailK, 30);
    let errorSum = 0;
    for (let i = 0; i < t.numItems; i++) {
      const err = squaredDistance(embedding(t, i), before[i]!);
      errorSum += err / before[i]!.reduce((s, x) => s + x * x, 0);
      for (let m = 0; m < t.M; m++) {
        const kept = t.codes[i * t.M + m]!;
        for (let k = 0; k < tailK; k++) {
          t.codes[i * t.M + m] = k;
          expect(squaredDistance(embedding(t, i), before[i]!)).toBeGreaterThanOrEqual(err - 1e-9);
        }
        t.codes[i * t.M + m] = kept;
      }
    }
    // The reported error is the measured one (unmoved items add 0 to the sum).
    expect(report.moved).toBeGreaterThan(0);
    expect(report.relativeSquaredError * report.moved).toBeCloseTo(errorSum, 6);
  });

  it('tailK = K moves nothing; a bad tailK or mask is refused', () => {
    const t = randomTable(4);
    const codes = t.codes.slice();
    expect(restrictTailCodes(t, new Uint8Array(t.numItems).fill(1), t.K).moved).toBe(0);
    expect(t.codes).toEqual(codes);
    expect(() => restrictTailCodes(t, new Uint8Array(t.numItems), 0)).toThrow(/tailK/);
    expect(() => restrictTailCodes(t, new Uint8Array(3), 4)).toThrow(/isTail has 3 entries/);
  });
});
