// int8 float storage (bundle format 6): round trip within the quantisation bound, engines' scores on an
// int8 bundle close to the float32 one, malformed int8 tensors and old format versions rejected.
import { describe, expect, it } from 'vitest';
import { seededRandom, randomBundleFiles } from '../testing/random-bundle.ts';
import { createCpuEngine } from '../engine/cpu/index.ts';
import {
  BundleSchemaError,
  BundleShapeError,
  BundleValueError,
  MANIFEST_FILE,
  TENSORS_FILE,
  decodeBundleFromFiles,
  decodeInt8,
  encodeBundle,
  encodeInt8,
  int8ByteLength,
  tensorInputs,
  vocabularyInput,
  type Manifest,
  type ModelBundle,
} from './index.ts';
import { sha256Hex } from './hash.ts';

const manifestOf = (files: Map<string, Uint8Array>): Manifest =>
  JSON.parse(new TextDecoder().decode(files.get(MANIFEST_FILE))) as Manifest;

/** `bundle` written again with every float tensor but the head's as int8. */
async function asInt8(bundle: ModelBundle): Promise<Map<string, Uint8Array>> {
  const { manifest } = bundle;
  return encodeBundle({
    kind: manifest.kind,
    hyper: manifest.hyper,
    vocabulary: vocabularyInput(bundle),
    tensors: tensorInputs(bundle).map((t) =>
      t.dtype === 'float32' && !/^(repeat|prior)\./.test(t.name) ? { ...t, dtype: 'int8' as const } : t,
    ),
    createdAt: '2026-01-01T00:00:00.000Z',
  });
}

/** Rewrites the manifest (and the file hashes) after `edit`, so that only the edit is wrong. */
async function tampered(
  files: Map<string, Uint8Array>,
  edit: (m: Manifest, bin: Uint8Array) => Uint8Array | void,
): Promise<Map<string, Uint8Array>> {
  const manifest = manifestOf(files);
  const original = new Uint8Array(files.get(TENSORS_FILE)!);
  const bin = edit(manifest, original) ?? original;
  const copy = new Map(files);
  copy.set(TENSORS_FILE, bin);
  for (const f of manifest.files)
    if (f.path === TENSORS_FILE)
      Object.assign(f, { byteLength: bin.byteLength, sha256: await sha256Hex(bin) });
  copy.set(MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(manifest)));
  return copy;
}

describe('int8 storage', () => {
  it('round trip: every value within half a step (max|row| / 254) of the original, rows apart', () => {
    const rng = seededRandom(5);
    for (const shape of [[37, 16], [5, 3, 8], [11], [4, 1]]) {
      const count = shape.reduce((a, b) => a * b, 1);
      // Rows of very different magnitudes: a per-row scale keeps the small rows precise.
      const cols = shape[shape.length - 1]!;
      const data = Float32Array.from(
        { length: count },
        (_, i) => (rng() * 2 - 1) * 10 ** ((Math.floor(i / cols) % 4) - 2),
      );
      const bytes = encodeInt8(data, shape, 't');
      expect(bytes.byteLength).toBe(int8ByteLength(shape));
      expect(bytes.byteLength).toBe((count / cols) * 4 + count);
      const back = decodeInt8(bytes, shape, { tensor: 't' });
      for (let r = 0; r < count / cols; r++) {
        const row = data.subarray(r * cols, (r + 1) * cols);
        const bound = Math.max(...row.map(Math.abs)) / 254 + 1e-7;
        for (let c = 0; c < cols; c++)
          expect(Math.abs(back[r * cols + c]! - row[c]!)).toBeLessThanOrEqual(bound);
      }
    }
    // An all-zero row stays zero (scale 0), and a non-finite value is refused.
    expect(
      Array.from(decodeInt8(encodeInt8(new Float32Array(6), [2, 3], 'z'), [2, 3], { tensor: 'z' })),
    ).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => encodeInt8(Float32Array.from([1, NaN]), [2], 'n')).toThrow(/finite/);
  });

  it('the CPU engine on an int8 bundle scores within 5 % of the float32 bundle and keeps most of its top 10', async () => {
    for (const kind of ['full', 'compositional', 'tt', 'sttd'] as const) {
      const files = await randomBundleFiles(kind, {
        numItems: 300,
        dim: 16,
        heads: 2,
        blocks: 1,
        maxLen: 8,
        seed: 9,
        repeatHead: 4,
        popularityPrior: 20,
      });
      const float = await decodeBundleFromFiles(files);
      const int8Files = await asInt8(float);
      const manifest = manifestOf(int8Files);
      expect(manifest.formatVersion).toBe(6);
      expect(manifest.tensors.find((t) => t.name === 'repeat.weights')!.dtype).toBe('float32');
      expect(manifest.tensors.filter((t) => t.dtype === 'int8').length).toBeGreaterThan(5);
      const bytes = (f: Map<string, Uint8Array>) => f.get(TENSORS_FILE)!.byteLength;
      expect(bytes(int8Files)).toBeLessThan(0.5 * bytes(files));
      const int8 = await decodeBundleFromFiles(int8Files);
      expect(int8.tensors.get('pos')!.dtype).toBe('float32'); // engines see floats
      const a = createCpuEngine(float);
      const b = createCpuEngine(int8);
      const rng = seededRandom(3);
      let overlap = 0;
      for (let s = 0; s < 10; s++) {
        const session = Array.from({ length: 1 + Math.floor(rng() * 8) }, () => Math.floor(rng() * 300));
        const x = Float32Array.from(a.scoreAll(session));
        const y = Float32Array.from(b.scoreAll(session));
        const scale = Math.max(...x.map(Math.abs));
        // Stated tolerance: max |Δscore| ≤ 5 % of the largest |score| (8-bit weights through one block).
        for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(0.05 * scale);
        const top = async (e: typeof a) => (await e.recommend(session, { k: 10 })).map((r) => r.index);
        const ta = await top(a);
        const tb = new Set(await top(b));
        overlap += ta.filter((i) => tb.has(i)).length;
      }
      expect(overlap).toBeGreaterThanOrEqual(70); // of 100
      a.dispose();
      b.dispose();
    }
  });

  it('a malformed int8 tensor or an int8 tensor in an older format version is rejected, naming the tensor', async () => {
    const files = await asInt8(
      await decodeBundleFromFiles(
        await randomBundleFiles('full', { numItems: 50, dim: 8, heads: 1, blocks: 1, maxLen: 4, seed: 2 }),
      ),
    );
    const itemsAt = (m: Manifest) => m.tensors.find((t) => t.name === 'items')!;
    // Missing scales: the byte length of the values alone.
    const short = await tampered(files, (m) => {
      itemsAt(m).byteLength = 50 * 8;
    });
    await expect(decodeBundleFromFiles(short)).rejects.toThrow(BundleShapeError);
    await expect(decodeBundleFromFiles(short)).rejects.toThrow(
      /tensor 'items': byteLength 400 ≠ 600 for int8 \(a float32 scale per row/,
    );
    // A negative scale and the value −128 (outside symmetric storage).
    const negative = await tampered(files, (m, bin) => {
      new DataView(bin.buffer).setFloat32(itemsAt(m).byteOffset, -1, true);
    });
    await expect(decodeBundleFromFiles(negative)).rejects.toThrow(BundleValueError);
    await expect(decodeBundleFromFiles(negative)).rejects.toThrow(/tensor 'items': int8 row 0 has scale -1/);
    const minus128 = await tampered(files, (m, bin) => {
      bin[itemsAt(m).byteOffset + 50 * 4] = 0x80;
    });
    await expect(decodeBundleFromFiles(minus128)).rejects.toThrow(/tensor 'items': int8 value −128 at row 0/);
    // A version-5 manifest cannot hold int8 (a version-5 reader would misread it)…
    const old = await tampered(files, (m) => {
      m.formatVersion = 5;
    });
    await expect(decodeBundleFromFiles(old)).rejects.toThrow(BundleSchemaError);
    await expect(decodeBundleFromFiles(old)).rejects.toThrow(/tensor 'items': int8, but formatVersion 5 < 6/);
    // …and a bundle without int8 still writes (and reads) as the version it needs.
    const plain = await randomBundleFiles('full', {
      numItems: 50,
      dim: 8,
      heads: 1,
      blocks: 1,
      maxLen: 4,
      seed: 2,
    });
    expect(manifestOf(plain).formatVersion).toBeLessThan(6);
    await expect(decodeBundleFromFiles(plain)).resolves.toBeDefined();
  });
});
