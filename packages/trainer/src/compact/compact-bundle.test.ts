import { describe, expect, it } from 'vitest';
import { decodeBundleFromFiles, encodeBundle, type ModelBundle } from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { randomBundleFiles, type RandomBundleOptions } from '@session-rec/sdk/testing';
import { compactBundleInput, type CompactOptions } from './compact-bundle.ts';

const V = 200;
const options: RandomBundleOptions = {
  numItems: V,
  dim: 16,
  M: 4,
  K: 16,
  seed: 5,
  repeatHead: 4,
  popularityPrior: 100,
};

const read = async (kind: 'compositional' | 'full' = 'compositional') =>
  decodeBundleFromFiles(await randomBundleFiles(kind, options));

async function compacted(bundle: ModelBundle, opts: CompactOptions): Promise<ModelBundle> {
  return decodeBundleFromFiles(await encodeBundle(compactBundleInput(bundle, opts).input));
}

/** Both bundles' CPU-engine scores of one session, and the spread of the first's. */
function sessionScores(original: ModelBundle, other: ModelBundle) {
  const [sa, sb] = [new Float32Array(V), new Float32Array(V)];
  createCpuEngine(original).scoreAll([3, 17, 3, 150], sa);
  createCpuEngine(other).scoreAll([3, 17, 3, 150], sb);
  return { sa, sb, spread: Math.max(...sa) - Math.min(...sa) };
}

function embedding(b: ModelBundle, i: number): number[] {
  const { M, K, dim } = b.manifest.hyper as { M: number; K: number; dim: number };
  const codes = b.tensors.get('codes')!.data;
  const books = b.tensors.get('codebooks')!.data;
  return Array.from({ length: dim }, (_, d) => {
    let s = 0;
    for (let m = 0; m < M; m++) s += books[(m * K + codes[i * M + m]!) * dim + d]!;
    return s;
  });
}

describe('compactBundleInput', () => {
  it('--int8 table on a full bundle: only the item table is int8 (the rest float16 or float32 as asked), the head float32', async () => {
    const original = await read('full');
    const table = await compacted(original, { float16: 'none', int8: 'table', packCodes: true });
    const entry = (b: ModelBundle, name: string) => b.manifest.tensors.find((t) => t.name === name)!;
    expect(entry(table, 'items').dtype).toBe('int8');
    expect(entry(table, 'block0.attn.wq').dtype).toBe('float32');
    expect(table.manifest.formatVersion).toBe(6);
    const all = await compacted(original, { float16: 'all', int8: 'all', packCodes: true });
    expect(entry(all, 'block0.attn.wq').dtype).toBe('int8'); // int8 wins over float16
    for (const name of ['repeat.recency', 'repeat.weights', 'prior.popularity']) {
      expect(entry(all, name).dtype).toBe('float32');
      expect(all.tensors.get(name)!.data).toEqual(original.tensors.get(name)!.data);
    }
    // items: about a quarter of float32 (one byte a value + a float32 scale per row of 16).
    expect(entry(table, 'items').byteLength).toBe(V * 16 + V * 4);
    const { sa, sb, spread } = sessionScores(original, all);
    sa.forEach((x, i) => expect(Math.abs(sb[i]! - x)).toBeLessThan(0.05 * spread));
    expect(Array.from(sb)).not.toEqual(Array.from(sa)); // lossy: not a copy
  });

  it('float16 everywhere + packed codes: the same model up to float16 rounding; the head stays float32', async () => {
    const original = await read();
    const small = await compacted(original, { float16: 'all', packCodes: true });
    const entry = (name: string) => small.manifest.tensors.find((t) => t.name === name)!;
    expect(entry('codes')).toMatchObject({ dtype: 'uint8', bits: 4 });
    expect(entry('codebooks').dtype).toBe('float16');
    expect(entry('block0.attn.wq').dtype).toBe('float16');
    for (const name of ['repeat.recency', 'repeat.weights', 'prior.popularity']) {
      expect(entry(name).dtype).toBe('float32');
      expect(small.tensors.get(name)!.data).toEqual(original.tensors.get(name)!.data);
    }
    expect(small.tensors.get('codes')!.data).toEqual(original.tensors.get('codes')!.data);
    // float16 keeps 11 significant bits: every weight within 2^-11 relative.
    for (const [name, t] of original.tensors) {
      if (t.dtype !== 'float32') continue;
      const back = small.tensors.get(name)!.data;
      t.data.forEach((x, i) =>
        expect(Math.abs(back[i]! - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 1e-7),
      );
    }
    const bytes = (b: ModelBundle) => b.manifest.files.reduce((s, f) => s + f.byteLength, 0);
    expect(bytes(small)).toBeLessThan(0.6 * bytes(original));
    // Scores of a session move by float16 rounding only.
    const { sa, sb, spread } = sessionScores(original, small);
    sa.forEach((x, i) => expect(Math.abs(sb[i]! - x)).toBeLessThan(0.01 * spread));
  });

  it('--float16 codebooks converts the codebooks only; --no-pack-codes keeps a byte per code', async () => {
    const small = await compacted(await read(), { float16: 'codebooks', packCodes: false });
    const float16 = small.manifest.tensors.filter((t) => t.dtype === 'float16').map((t) => t.name);
    expect(float16).toEqual(['codebooks']);
    expect(small.manifest.tensors.find((t) => t.name === 'codes')!.bits).toBeUndefined();
  });

  it('MGQE: tail items use only the first K_tail codewords, head items keep their embeddings; codes row-packed', async () => {
    const original = await read();
    const before = Array.from({ length: V }, (_, i) => embedding(original, i));
    // Item i clicked V − i times: items 0..19 are the 10 % head.
    const itemCounts = Float64Array.from({ length: V }, (_, i) => V - i);
    const { input, mgqe } = compactBundleInput(original, {
      float16: 'none',
      packCodes: true,
      mgqe: { tailK: 4, headFraction: 0.1, itemCounts },
    });
    expect(mgqe).toMatchObject({ tailK: 4, headItems: 20, tailItems: 180 });
    expect(mgqe!.moved).toBeGreaterThan(100);
    const small = await decodeBundleFromFiles(await encodeBundle(input));
    const codes = small.tensors.get('codes')!.data;
    for (let i = 0; i < V; i++) {
      const row = Array.from(codes.subarray(i * 4, i * 4 + 4));
      if (i < 20) embedding(small, i).forEach((x, d) => expect(x).toBeCloseTo(before[i]![d]!, 5));
      else expect(Math.max(...row)).toBeLessThan(4);
    }
    const entry = small.manifest.tensors.find((t) => t.name === 'codes')!;
    expect(entry).toMatchObject({ bits: 4, narrowBits: 2 });
    expect(entry.narrowRows).toBeGreaterThanOrEqual(180);
    expect(small.manifest.formatVersion).toBe(5);
  });

  it('refuses MGQE on a bundle without codes, without packing, or with K_tail not a power of two below K', async () => {
    const itemCounts = new Float64Array(V);
    const mgqe = { tailK: 4, headFraction: 0.1, itemCounts };
    const bundle = await read();
    const full = await read('full');
    expect(() => compactBundleInput(full, { float16: 'none', packCodes: true, mgqe })).toThrow(
      /MGQE needs a compositional bundle, not full/,
    );
    expect(() => compactBundleInput(bundle, { float16: 'none', packCodes: false, mgqe })).toThrow(
      /needs packCodes/,
    );
    for (const tailK of [3, 16, 0]) {
      expect(() =>
        compactBundleInput(bundle, { float16: 'none', packCodes: true, mgqe: { ...mgqe, tailK } }),
      ).toThrow(/power of two below K = 16/);
    }
  });
});
