import { describe, expect, it } from 'vitest';
import { createItemTable, registerItemTable, UnknownModelKindError, ModelTensorError } from './index.ts';
import { naiveEmbedding } from './testing/naive-forward.ts';
import { matVec } from './linalg.ts';
import {
  makeBundle,
  randomCompositionalBundle,
  randomFullBundle,
  seededRng,
  uniform,
} from './testing/random-model.ts';

const shape = { dim: 16, heads: 2, blocks: 1, maxLen: 8 };

function naiveScores(bundle: Parameters<typeof naiveEmbedding>[0], theta: Float32Array): number[] {
  return Array.from({ length: bundle.manifest.hyper.numItems }, (_, i) =>
    naiveEmbedding(bundle, i).reduce((s, v, d) => s + v * theta[d], 0),
  );
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  expect(worst).toBeLessThan(tol);
}

describe('compositional item table', () => {
  for (const [M, K, V] of [
    [1, 256, 1001],
    [5, 256, 997],
    [4, 32, 403],
    [2, 3, 50],
    [3, 300, 77],
    [2, 300, 61],
    [1, 1000, 40],
    [3, 256, 999],
    [4, 256, 50],
  ] as const) {
    it(`LUT scoring equals reconstruct-then-dot (M = ${M}, K = ${K}, V = ${V})`, () => {
      const rng = seededRng(M * 1000 + K);
      const bundle = randomCompositionalBundle(rng, { ...shape, numItems: V, M, K });
      const table = createItemTable(bundle);
      const theta = uniform(rng, [shape.dim]) as Float32Array;
      const out = new Float32Array(V);
      table.scoreAll(theta, out);
      expectClose(out, naiveScores(bundle, theta), 1e-5);
      // Bit-identical to the plain LUT formula (whatever packing the table uses): T = codebooks·θ by
      // matVec, then Σ_m T[m][code] left to right in double, rounded once.
      const codes = bundle.tensors.get('codes')!.data;
      const lut = new Float64Array(M * K);
      matVec(bundle.tensors.get('codebooks')!.data as Float32Array, M * K, shape.dim, theta, 0, lut, 0);
      const plain = Float32Array.from({ length: V }, (_, i) => {
        let s = lut[codes[i * M]];
        for (let m = 1; m < M; m++) s += lut[m * K + codes[i * M + m]];
        return s;
      });
      expect(Array.from(out)).toEqual(Array.from(plain));
      const e = new Float32Array(shape.dim + 3);
      for (const i of [0, V - 1, Math.floor(V / 2)]) {
        table.embedInto(i, e, 3);
        expectClose(e.subarray(3), naiveEmbedding(bundle, i), 1e-6);
      }
    });
  }

  it('rejects a code ≥ K, naming the tensor and position', () => {
    const rng = seededRng(3);
    const bundle = randomCompositionalBundle(rng, { ...shape, numItems: 10, M: 2, K: 8 });
    (bundle.tensors.get('codes')!.data as Uint8Array)[7] = 8;
    expect(() => createItemTable(bundle)).toThrow(ModelTensorError);
    expect(() => createItemTable(bundle)).toThrow(/"codes": codes\[3, 1\] = 8/);
  });

  it('rejects uint8 codes when K > 256', () => {
    const rng = seededRng(4);
    const bundle = randomCompositionalBundle(rng, { ...shape, numItems: 10, M: 2, K: 8 });
    bundle.manifest.hyper.K = 300;
    expect(() => createItemTable(bundle)).toThrow(/"codes": dtype uint8, expected uint16/);
  });
});

describe('full item table', () => {
  it('scores equal θ·row for V not a multiple of the unroll width', () => {
    for (const V of [1, 3, 4, 5, 1023]) {
      const rng = seededRng(V);
      const bundle = randomFullBundle(rng, { ...shape, numItems: V });
      const theta = uniform(rng, [shape.dim]) as Float32Array;
      const out = new Float32Array(V);
      createItemTable(bundle).scoreAll(theta, out);
      expectClose(out, naiveScores(bundle, theta), 1e-6);
    }
  });

  it('names a tensor with the wrong shape', () => {
    const rng = seededRng(5);
    const bundle = randomFullBundle(rng, { ...shape, numItems: 10 });
    bundle.tensors.get('items')!.shape = [10, 15];
    expect(() => createItemTable(bundle)).toThrow(/tensor "items": shape \[10, 15\], expected \[10, 16\]/);
    bundle.tensors.delete('items');
    expect(() => createItemTable(bundle)).toThrow(/tensor "items": missing/);
  });
});

describe('item-table registry', () => {
  it('rejects an unknown kind with a typed error naming it and the known kinds', () => {
    const bundle = makeBundle('sttd', { numItems: 3, maxLen: 5 }, []);
    bundle.manifest.kind = 'hologram' as 'sttd';
    let error: unknown;
    try {
      createItemTable(bundle);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UnknownModelKindError);
    expect((error as UnknownModelKindError).code).toBe('unknown-kind');
    expect((error as Error).message).toMatch(/"hologram".*popularity, full, compositional, tt, sttd/);
  });

  it('runs a kind plugged in through registerItemTable', () => {
    // A made-up kind, so that the real tt/sttd entries stay untouched.
    const bundle = makeBundle('tt', { numItems: 2, maxLen: 5 }, []);
    bundle.manifest.kind = 'test-kind' as 'tt';
    registerItemTable('test-kind', (b) => ({
      numItems: b.manifest.hyper.numItems,
      dim: 0,
      embedInto: () => undefined,
      scoreAll: (_theta, out) => out.fill(7),
    }));
    const out = new Float32Array(2);
    createItemTable(bundle).scoreAll(new Float32Array(0), out);
    expect(Array.from(out)).toEqual([7, 7]);
  });
});
