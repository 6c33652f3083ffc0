import { decodeBundleFromFiles } from '@session-rec/sdk/bundle';
import { randomBundleFiles } from '@session-rec/sdk/testing';
import { describe, expect, it } from 'vitest';
import { mixedItemTable } from './paper-test-table-lib.ts';

const V = 23;
const N = 8;
const load = async (kind: 'compositional' | 'full', seed: number, vocabulary: 'range' | 'list' = 'range') =>
  decodeBundleFromFiles(await randomBundleFiles(kind, { numItems: V, dim: N, M: 3, K: 8, seed, vocabulary }));

describe('mixedItemTable (Eq. 16 at test time)', () => {
  it('is η · teacher row + (1 − η) · sum of the item’s codewords', async () => {
    const student = await load('compositional', 3);
    const teacher = await load('full', 4);
    const codes = student.tensors.get('codes')!.data;
    const books = student.tensors.get('codebooks')!.data;
    const table = teacher.tensors.get('items')!.data;
    for (const eta of [0, 0.3, 1]) {
      const mixed = mixedItemTable(student, teacher, eta);
      for (const v of [0, 7, V - 1]) {
        for (let d = 0; d < N; d++) {
          let composed = 0;
          for (let m = 0; m < 3; m++) composed += books[(m * 8 + codes[v * 3 + m]!) * N + d]!;
          expect(mixed[v * N + d]).toBeCloseTo(eta * table[v * N + d]! + (1 - eta) * composed, 5);
        }
      }
    }
  });

  it('refuses bundles that do not fit together', async () => {
    const student = await load('compositional', 3);
    const teacher = await load('full', 4);
    expect(() => mixedItemTable(student, teacher, 1.5)).toThrow(RangeError);
    expect(() => mixedItemTable(teacher, teacher, 0.5)).toThrow(/compositional/);
    const other = await load('full', 4, 'list');
    expect(() => mixedItemTable(student, other, 0.5)).toThrow(/vocabularies differ/);
  });
});
