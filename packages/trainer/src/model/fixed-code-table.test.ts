import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { seededRandom } from '../data/prng.ts';
import { FixedCodeItemTable } from './fixed-code-table.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('FixedCodeItemTable', () => {
  const M = 3;
  const K = 4;
  const dim = 5;
  const V = 7;
  const random = seededRandom(11);
  const codes = Int32Array.from({ length: V * M }, () => Math.floor(random() * K));
  const codebooks = Float32Array.from({ length: M * K * dim }, () => random() - 0.5);

  it('e(i) = Σ_m C_m[code(i, m)], codes exported as given, codebooks trainable', () => {
    const table = new FixedCodeItemTable(M, K, codes, codebooks);
    const e = table.embeddings().arraySync();
    for (let i = 0; i < V; i++)
      for (let d = 0; d < dim; d++) {
        let s = 0;
        for (let m = 0; m < M; m++) s += codebooks[(m * K + codes[i * M + m]!) * dim + d]!;
        expect(e[i]![d]).toBeCloseTo(s, 6);
      }
    const exported = table.exportTensors();
    expect(exported.kind).toBe('compositional');
    expect(Array.from(exported.tensors.codes!.data)).toEqual(Array.from(codes));
    expect(exported.tensors.codes!.dtype).toBe('uint8');
    // d Σ e / d C_m[k] = the number of items whose code m is k (gatherRows' scatter gradient)
    const uses = new Float32Array(M * K);
    codes.forEach((c, j) => (uses[(j % M) * K + c]! += 1));
    const { grads } = tf.variableGrads(() => tf.sum(table.embeddings()), [table.codebooks]);
    const g = grads[table.codebooks.name]!.arraySync() as number[][];
    g.forEach((row, r) => row.forEach((v) => expect(v).toBe(uses[r])));
    expect(table.variables()).toEqual([table.codebooks]);
    table.dispose();
  });

  it('rejects codes outside [0, K) and shapes that do not divide', () => {
    expect(() => new FixedCodeItemTable(M, K, Int32Array.from([0, 1, 4]), codebooks)).toThrow(
      /outside \[0, 4\)/,
    );
    expect(() => new FixedCodeItemTable(M, K, Int32Array.from([0, 1]), codebooks)).toThrow(/multiple of M/);
    expect(() => new FixedCodeItemTable(M, K, codes, codebooks.subarray(1))).toThrow(/multiple of M·K/);
  });
});
