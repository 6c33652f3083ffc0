import { describe, expect, it } from 'vitest';
import {
  BUNDLE_FORMAT_VERSION,
  BundleError,
  BundleFormatError,
  BundleIntegrityError,
  BundleLoadError,
  BundleSchemaError,
  BundleShapeError,
  BundleTruncatedError,
  BundleValueError,
  BundleVersionError,
  MANIFEST_FILE,
  TENSORS_FILE,
  decodeBundle,
  decodeBundleFromFiles,
  encodeBundle,
  float16BitsToFloat32,
  parseManifest,
  type Manifest,
  type ModelKind,
  tensorInputs,
  vocabularyInput,
} from './index.ts';
import { sha256Hex } from './hash.ts';
import { hashedUniform, testBundleInput } from './testing.ts';

const KINDS: ModelKind[] = ['popularity', 'full', 'compositional', 'tt', 'sttd'];
const FIXED_TIME = '2026-01-01T00:00:00.000Z';

function manifestOf(files: Map<string, Uint8Array>): Manifest {
  return JSON.parse(new TextDecoder().decode(files.get(MANIFEST_FILE)));
}

/** A tampered copy whose hashes and lengths are made consistent again, so that only the tampering is wrong. */
async function tamper(
  files: Map<string, Uint8Array>,
  edit: (manifest: Manifest, files: Map<string, Uint8Array>) => void,
): Promise<Map<string, Uint8Array>> {
  const copy = new Map([...files].map(([p, b]) => [p, new Uint8Array(b)]));
  const manifest = manifestOf(copy);
  edit(manifest, copy);
  for (const f of manifest.files) {
    const bytes = copy.get(f.path);
    if (bytes) {
      f.byteLength = bytes.byteLength;
      f.sha256 = await sha256Hex(bytes);
    }
  }
  copy.set(MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(manifest)));
  return copy;
}

async function rejection(promise: Promise<unknown>): Promise<BundleError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(BundleError);
    return err as BundleError;
  }
  throw new Error('expected a rejection');
}

describe('encodeBundle / decodeBundle round trip', () => {
  it.each(KINDS)('%s bundle: every tensor comes back bit-exact', async (kind) => {
    const input = testBundleInput(kind);
    const files = await encodeBundle(input);
    const bundle = await decodeBundleFromFiles(files);
    expect(bundle.manifest.kind).toBe(kind);
    expect(bundle.manifest.hyper).toEqual(input.hyper);
    expect([...bundle.tensors.keys()].sort()).toEqual(input.tensors.map((t) => t.name).sort());
    for (const t of input.tensors) {
      const got = bundle.tensors.get(t.name)!;
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual(t.shape);
      expect(got.data.constructor).toBe(t.data.constructor);
      expect(Array.from(got.data)).toEqual(Array.from(t.data));
    }
  });

  it('stores every dtype, each at an 8-byte aligned offset, and reads it back', async () => {
    const input = testBundleInput('popularity', { numItems: 7 });
    const f32 = hashedUniform(5, 9, 100);
    const half = Float32Array.from([0, -0, 1, -2.5, 65504, 6.1035156e-5, 5.9604645e-8, 0.1, -1e-3]);
    const extra = [
      { name: 'x.float32', dtype: 'float32' as const, shape: [5], data: f32 },
      { name: 'x.float16', dtype: 'float16' as const, shape: [3, 3], data: half },
      {
        name: 'x.float16bits',
        dtype: 'float16' as const,
        shape: [2],
        data: Uint16Array.from([0x3c00, 0xc000]),
      },
      { name: 'x.uint8', dtype: 'uint8' as const, shape: [3], data: Uint8Array.from([0, 7, 255]) },
      { name: 'x.uint16', dtype: 'uint16' as const, shape: [1, 3], data: Uint16Array.from([0, 513, 65535]) },
      { name: 'x.uint32', dtype: 'uint32' as const, shape: [2], data: Uint32Array.from([1, 4294967295]) },
      {
        name: 'x.int32',
        dtype: 'int32' as const,
        shape: [3],
        data: Int32Array.from([-2147483648, 0, 2147483647]),
      },
      { name: 'x.empty', dtype: 'float32' as const, shape: [0, 4], data: new Float32Array(0) },
    ];
    const files = await encodeBundle({ ...input, tensors: [...input.tensors, ...extra] });
    for (const t of manifestOf(files).tensors) expect(t.byteOffset % 8).toBe(0);
    const bundle = await decodeBundleFromFiles(files);
    for (const t of extra) {
      const got = bundle.tensors.get(t.name)!;
      expect(got.shape).toEqual(t.shape);
      if (t.dtype === 'float16') {
        expect(got.data).toBeInstanceOf(Float32Array);
        const want =
          t.data instanceof Uint16Array ? Array.from(t.data, float16BitsToFloat32) : Array.from(t.data);
        // Values chosen to be representable in float16 up to its precision (11 significant bits).
        got.data.forEach((x, i) => expect(x).toBeCloseTo(want[i], Math.abs(want[i]) > 1 ? 1 : 3));
        if (t.name === 'x.float16') expect(Object.is(got.data[1], -0)).toBe(true);
      } else {
        expect(got.data.constructor).toBe(t.data.constructor);
        expect(Array.from(got.data)).toEqual(Array.from(t.data));
      }
    }
  });

  it('widens float16 weights to the nearest half value', async () => {
    const input = testBundleInput('full', { floatType: 'float16' });
    const bundle = await decodeBundleFromFiles(await encodeBundle(input));
    const items = input.tensors.find((t) => t.name === 'items')!.data;
    const got = bundle.tensors.get('items')!.data;
    expect(got).toBeInstanceOf(Float32Array);
    // |x| ≤ 0.1: half spacing there is ≤ 2^-14, so the error is at most 2^-15.
    got.forEach((x, i) => expect(Math.abs(x - items[i])).toBeLessThanOrEqual(2 ** -15));
  });

  it('stores codes as uint16 when K > 256', async () => {
    const input = testBundleInput('compositional', { K: 300, M: 2 });
    const bundle = await decodeBundleFromFiles(await encodeBundle(input));
    const codes = bundle.tensors.get('codes')!;
    expect(codes.dtype).toBe('uint16');
    expect(Math.max(...codes.data)).toBeGreaterThan(255);
  });

  it('copies a tensor only when the loaded bytes are unaligned, and keeps the values', async () => {
    const files = await encodeBundle(testBundleInput('full'));
    const shifted = new Map<string, Uint8Array>();
    for (const [path, bytes] of files) {
      const buffer = new Uint8Array(bytes.byteLength + 1);
      buffer.set(bytes, 1);
      shifted.set(path, buffer.subarray(1)); // byteOffset 1: no Float32Array view is possible
    }
    const aligned = await decodeBundleFromFiles(files);
    const unaligned = await decodeBundleFromFiles(shifted);
    expect(Array.from(unaligned.tensors.get('items')!.data)).toEqual(
      Array.from(aligned.tensors.get('items')!.data),
    );
    expect(aligned.tensors.get('items')!.data.buffer).toBe(files.get(TENSORS_FILE)!.buffer);
  });

  it('derives the version from the content: equal input, equal version; one changed weight, a new one', async () => {
    const a = manifestOf(await encodeBundle(testBundleInput('full')));
    const b = manifestOf(await encodeBundle({ ...testBundleInput('full'), createdAt: FIXED_TIME }));
    expect(a.version).toBe(b.version);
    const changed = testBundleInput('full');
    changed.tensors.find((t) => t.name === 'items')!.data[3] += 0.5;
    const c = manifestOf(await encodeBundle(changed));
    expect(c.version).not.toBe(a.version);
  });

  it('gives byte-identical output for a fixed createdAt', async () => {
    const input = { ...testBundleInput('compositional'), createdAt: FIXED_TIME };
    const a = await encodeBundle(input);
    const b = await encodeBundle(input);
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [path, bytes] of a) expect(Buffer.from(bytes).equals(Buffer.from(b.get(path)!))).toBe(true);
  });

  it('decodeBundle loads through the loader and reports progress per file', async () => {
    const files = await encodeBundle({
      ...testBundleInput('popularity'),
      vocabulary: ['a', 'b'].concat(Array.from({ length: 28 }, (_, i) => `sku-${i}`)),
    });
    const requested: string[] = [];
    const progress: number[] = [];
    const bundle = await decodeBundle(
      async (path) => {
        requested.push(path);
        return files.get(path)!;
      },
      { onProgress: (p) => progress.push(p.loadedBytes / p.totalBytes) },
    );
    expect(requested.sort()).toEqual([MANIFEST_FILE, TENSORS_FILE, 'vocab.txt'].sort());
    expect(progress.at(-1)).toBe(1);
    expect(bundle.itemIds(1)).toBe('b');
  });
});

describe('vocabulary', () => {
  it('range: index i ↔ String(first + i), canonical spellings only', async () => {
    const bundle = await decodeBundleFromFiles(
      await encodeBundle(testBundleInput('popularity', { numItems: 10 })),
    );
    expect(bundle.manifest.vocabulary).toEqual({ type: 'range', first: 1, count: 10 });
    expect(bundle.itemIds(0)).toBe('1');
    expect(bundle.itemIds(9)).toBe('10');
    expect(bundle.itemIndex('1')).toBe(0);
    expect(bundle.itemIndex('10')).toBe(9);
    for (const unknown of ['0', '11', '007', '1.0', ' 1', '', 'abc', '-1'])
      expect(bundle.itemIndex(unknown)).toBe(-1);
    expect(() => bundle.itemIds(10)).toThrow(RangeError);
  });

  it('range with another first id', async () => {
    const input = {
      ...testBundleInput('popularity', { numItems: 4 }),
      vocabulary: { type: 'range' as const, first: 100, count: 4 },
    };
    const bundle = await decodeBundleFromFiles(await encodeBundle(input));
    expect(bundle.itemIds(3)).toBe('103');
    expect(bundle.itemIndex('100')).toBe(0);
  });

  it("list: a shop's SKUs, unicode included, round trip through vocab.txt", async () => {
    const ids = ['SKU-1', 'ß-überzug', '日本', 'a b', '42'];
    const input = { ...testBundleInput('popularity', { numItems: 5 }), vocabulary: ids };
    const files = await encodeBundle(input);
    expect(new TextDecoder().decode(files.get('vocab.txt'))).toBe(ids.join('\n') + '\n');
    const bundle = await decodeBundleFromFiles(files);
    expect(ids.map((_, i) => bundle.itemIds(i))).toEqual(ids);
    expect(ids.map((id) => bundle.itemIndex(id))).toEqual([0, 1, 2, 3, 4]);
    expect(bundle.itemIndex('SKU-2')).toBe(-1);
  });

  it('vocabularyInput re-encodes a read bundle with the same ids (list and range)', async () => {
    const ids = ['SKU-1', 'ß-überzug', '日本', 'a b', '42'];
    for (const vocabulary of [ids, { type: 'range' as const, first: 100, count: 5 }]) {
      const input = { ...testBundleInput('popularity', { numItems: 5 }), vocabulary };
      const bundle = await decodeBundleFromFiles(await encodeBundle(input));
      const again = await decodeBundleFromFiles(
        await encodeBundle({ ...input, vocabulary: vocabularyInput(bundle) }),
      );
      expect(again.manifest.vocabulary).toEqual(bundle.manifest.vocabulary);
      expect([0, 1, 2, 3, 4].map((i) => again.itemIds(i))).toEqual(
        [0, 1, 2, 3, 4].map((i) => bundle.itemIds(i)),
      );
    }
  });

  it.each([
    ['a newline', ['a', 'b\nc', 'd'], /item 1 .*line break/],
    ['an empty id', ['a', '', 'd'], /item 1 has an empty/],
    ['a duplicate', ['a', 'b', 'a'], /appears at items 0 and 2/],
  ])('rejects %s when writing', async (_what, ids, message) => {
    const input = { ...testBundleInput('popularity', { numItems: 3 }), vocabulary: ids };
    const err = await rejection(encodeBundle(input));
    expect(err).toBeInstanceOf(BundleValueError);
    expect(err.message).toMatch(message);
  });

  it('rejects a vocab.txt with a duplicate line or the wrong count when reading', async () => {
    const files = await encodeBundle({
      ...testBundleInput('popularity', { numItems: 3 }),
      vocabulary: ['a', 'b', 'c'],
    });
    const dup = await tamper(files, (_m, f) => f.set('vocab.txt', new TextEncoder().encode('a\nb\na\n')));
    const err = await rejection(decodeBundleFromFiles(dup));
    expect(err).toBeInstanceOf(BundleValueError);
    expect(err.message).toMatch(/vocab.txt line 3: duplicate id "a"/);
    const short = await tamper(files, (_m, f) => f.set('vocab.txt', new TextEncoder().encode('a\nb\n')));
    expect((await rejection(decodeBundleFromFiles(short))).message).toMatch(
      /vocab.txt: 2 ids, the manifest says 3/,
    );
  });
});

describe('decode rejects damaged bundles with a typed error naming the culprit', () => {
  it('a truncated file → BundleTruncatedError naming the file', async () => {
    const files = await encodeBundle(testBundleInput('full'));
    const bin = files.get(TENSORS_FILE)!;
    files.set(TENSORS_FILE, bin.subarray(0, bin.byteLength - 10));
    const err = await rejection(decodeBundleFromFiles(files));
    expect(err).toBeInstanceOf(BundleTruncatedError);
    expect(err.code).toBe('BUNDLE_TRUNCATED');
    expect(err.file).toBe(TENSORS_FILE);
    expect(err.message).toContain(`'${TENSORS_FILE}' is truncated`);
  });

  it('one flipped byte → BundleIntegrityError naming the file', async () => {
    const files = await encodeBundle(testBundleInput('compositional'));
    const bin = new Uint8Array(files.get(TENSORS_FILE)!);
    bin[Math.floor(bin.byteLength / 2)] ^= 0x01;
    files.set(TENSORS_FILE, bin);
    const err = await rejection(decodeBundleFromFiles(files));
    expect(err).toBeInstanceOf(BundleIntegrityError);
    expect(err.code).toBe('BUNDLE_INTEGRITY');
    expect(err.file).toBe(TENSORS_FILE);
    expect(err.message).toMatch(/'tensors.bin' is corrupt: SHA-256/);
  });

  it('a verified file that happens to start like HTML is accepted', async () => {
    const ids = ['<!DOCTYPE html>', '<html>', 'x'];
    const input = { ...testBundleInput('popularity', { numItems: 3 }), vocabulary: ids };
    const bundle = await decodeBundleFromFiles(await encodeBundle(input));
    expect(bundle.itemIndex('<html>')).toBe(1);
  });

  it('a file longer than declared → BundleIntegrityError', async () => {
    const files = await encodeBundle(testBundleInput('popularity'));
    const bin = files.get(TENSORS_FILE)!;
    const longer = new Uint8Array(bin.byteLength + 8);
    longer.set(bin);
    files.set(TENSORS_FILE, longer);
    const err = await rejection(decodeBundleFromFiles(files));
    expect(err).toBeInstanceOf(BundleIntegrityError);
    expect(err.file).toBe(TENSORS_FILE);
  });

  it('an HTML page with status 200 instead of the binary → BundleIntegrityError, whatever its length', async () => {
    const files = await encodeBundle(testBundleInput('full'));
    const declared = files.get(TENSORS_FILE)!.byteLength;
    const page =
      '<!DOCTYPE html>\n<html><head><script type="module" src="/@vite/client"></script></head></html>';
    for (const length of [page.length, declared]) {
      const html = new TextEncoder().encode(page.padEnd(length, ' '));
      const load = async (path: string): Promise<Uint8Array> =>
        path === TENSORS_FILE ? html : files.get(path)!;
      const err = await rejection(decodeBundle(load));
      expect(err).toBeInstanceOf(BundleIntegrityError);
      expect(err.file).toBe(TENSORS_FILE);
      expect(err.message).toMatch(/HTML page/);
    }
  });

  it('an HTML page instead of manifest.json → BundleFormatError', async () => {
    const html = new TextEncoder().encode('<!doctype html><html><body>Not found</body></html>');
    const err = await rejection(decodeBundle(async () => html));
    expect(err).toBeInstanceOf(BundleFormatError);
    expect(err.message).toMatch(/manifest.json is not JSON \(it is an HTML page/);
  });

  it('a code ≥ K → BundleValueError naming the tensor and position (writer and reader)', async () => {
    const input = testBundleInput('compositional', { K: 4, M: 3 });
    const codes = input.tensors.find((t) => t.name === 'codes')!.data;
    codes[7] = 4; // item 2, codebook 1
    const writeErr = await rejection(encodeBundle(input));
    expect(writeErr).toBeInstanceOf(BundleValueError);
    expect(writeErr.tensor).toBe('codes');

    codes[7] = 0;
    const files = await encodeBundle(input);
    const bad = await tamper(files, (m, f) => {
      const entry = m.tensors.find((t) => t.name === 'codes')!;
      f.get(entry.file)![entry.byteOffset + 7] = 9;
    });
    const err = await rejection(decodeBundleFromFiles(bad));
    expect(err).toBeInstanceOf(BundleValueError);
    expect(err.code).toBe('BUNDLE_VALUE');
    expect(err.tensor).toBe('codes');
    expect((err as BundleValueError).position).toBe(7);
    expect(err.message).toBe("tensor 'codes': code 9 of item 2, codebook 1 (position 7) is ≥ K = 4");
  });

  it('a popularity index ≥ numItems → BundleValueError', async () => {
    const files = await encodeBundle(testBundleInput('full', { numItems: 20 }));
    const bad = await tamper(files, (m, f) => {
      const entry = m.tensors.find((t) => t.name === 'popularity')!;
      new DataView(f.get(entry.file)!.buffer).setUint32(entry.byteOffset + 4 * 5, 20, true);
    });
    const err = await rejection(decodeBundleFromFiles(bad));
    expect(err).toBeInstanceOf(BundleValueError);
    expect(err.tensor).toBe('popularity');
    expect((err as BundleValueError).position).toBe(5);
  });

  it('a NaN weight → BundleValueError naming the tensor', async () => {
    const input = testBundleInput('full');
    input.tensors.find((t) => t.name === 'block0.attn.wq')!.data[3] = NaN;
    const err = await rejection(encodeBundle(input));
    expect(err).toBeInstanceOf(BundleValueError);
    expect(err.tensor).toBe('block0.attn.wq');
  });

  it('a shape that disagrees with the byte length → BundleShapeError naming the tensor', async () => {
    const files = await encodeBundle(testBundleInput('full'));
    const bad = await tamper(files, (m) => {
      m.tensors.find((t) => t.name === 'block0.ffn.b1')!.shape = [9];
    });
    const err = await rejection(decodeBundleFromFiles(bad));
    expect(err).toBeInstanceOf(BundleShapeError);
    expect(err.code).toBe('BUNDLE_SHAPE');
    expect(err.tensor).toBe('block0.ffn.b1');
    expect(err.message).toMatch(/byteLength 32 ≠ 36 for float32 \[9\]/);
  });

  it('a consistent but contract-breaking shape → BundleShapeError naming the tensor', async () => {
    const input = testBundleInput('full', { numItems: 30, dim: 8 });
    const items = input.tensors.find((t) => t.name === 'items')!;
    items.shape = [8, 30];
    const err = await rejection(encodeBundle(input));
    expect(err).toBeInstanceOf(BundleShapeError);
    expect(err.tensor).toBe('items');
    expect(err.message).toBe("tensor 'items': shape [8, 30], expected [30, 8]");
  });

  it('codes in uint16 although K ≤ 256 → BundleShapeError', async () => {
    const input = testBundleInput('compositional', { K: 4 });
    const codes = input.tensors.find((t) => t.name === 'codes')!;
    codes.dtype = 'uint16';
    codes.data = Uint16Array.from(codes.data);
    const err = await rejection(encodeBundle(input));
    expect(err).toBeInstanceOf(BundleShapeError);
    expect(err.message).toMatch(/'codes': dtype uint16, the contract allows uint8/);
  });

  it('a tensor beyond the end of its file → BundleShapeError', async () => {
    const files = await encodeBundle(testBundleInput('popularity'));
    const bad = await tamper(files, (m) => {
      m.tensors.find((t) => t.name === 'counts')!.byteOffset += 8000;
    });
    const err = await rejection(decodeBundleFromFiles(bad));
    expect(err).toBeInstanceOf(BundleShapeError);
    expect(err.tensor).toBe('counts');
    expect(err.message).toMatch(/beyond the end of 'tensors.bin'/);
  });

  it('an unknown format version → BundleVersionError', async () => {
    const files = await encodeBundle(testBundleInput('popularity'));
    const bad = await tamper(files, (m) => {
      m.formatVersion = BUNDLE_FORMAT_VERSION + 1;
    });
    const err = await rejection(decodeBundleFromFiles(bad));
    expect(err).toBeInstanceOf(BundleVersionError);
    expect(err.code).toBe('BUNDLE_VERSION');
    expect((err as BundleVersionError).formatVersion).toBe(BUNDLE_FORMAT_VERSION + 1);
    expect(err.message).toMatch(/written by a newer version/);
  });

  it('a wrong magic → BundleFormatError', async () => {
    const files = await encodeBundle(testBundleInput('popularity'));
    const bad = await tamper(files, (m) => {
      (m as { format: string }).format = 'tfjs-graph-model';
    });
    const err = await rejection(decodeBundleFromFiles(bad));
    expect(err).toBeInstanceOf(BundleFormatError);
    expect(err.code).toBe('BUNDLE_FORMAT');
    expect(err.message).toMatch(/"tfjs-graph-model", expected "session-rec-bundle"/);
  });

  it('a missing file → BundleLoadError naming it', async () => {
    const files = await encodeBundle(testBundleInput('popularity'));
    files.delete(TENSORS_FILE);
    const err = await rejection(decodeBundleFromFiles(files));
    expect(err).toBeInstanceOf(BundleLoadError);
    expect(err.file).toBe(TENSORS_FILE);
  });

  it('a loader failure → BundleLoadError with the cause', async () => {
    const files = await encodeBundle(testBundleInput('popularity'));
    const boom = new Error('HTTP 404');
    const err = await rejection(
      decodeBundle(async (p) => {
        if (p === TENSORS_FILE) throw boom;
        return files.get(p)!;
      }),
    );
    expect(err).toBeInstanceOf(BundleLoadError);
    expect(err.message).toBe("could not load bundle file 'tensors.bin': HTTP 404");
    expect(err.cause).toBe(boom);
  });
});

describe('parseManifest', () => {
  it.each(KINDS)('%s: every required tensor, when missing, is named in a BundleSchemaError', async (kind) => {
    const manifest = manifestOf(await encodeBundle(testBundleInput(kind, { blocks: 2 })));
    expect(() => parseManifest(manifest)).not.toThrow();
    const names = manifest.tensors.map((t) => t.name);
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) {
      const without = { ...manifest, tensors: manifest.tensors.filter((t) => t.name !== name) };
      let caught: unknown;
      try {
        parseManifest(without);
      } catch (err) {
        caught = err;
      }
      expect(caught, name).toBeInstanceOf(BundleSchemaError);
      expect((caught as BundleSchemaError).tensor).toBe(name);
    }
  });

  it.each([
    ['full', 'dim'],
    ['full', 'heads'],
    ['compositional', 'K'],
    ['tt', 'ttRanks'],
    ['sttd', 'sttdRank'],
  ] as const)('%s: a missing hyper.%s is a BundleSchemaError naming it', async (kind, field) => {
    const manifest = manifestOf(await encodeBundle(testBundleInput(kind)));
    delete manifest.hyper[field];
    expect(() => parseManifest(manifest)).toThrow(new RegExp(`hyper\\.${field} must be`));
  });

  it('rejects paths that leave the bundle folder', async () => {
    const manifest = manifestOf(await encodeBundle(testBundleInput('popularity')));
    for (const path of ['../secret.bin', '/etc/passwd', 'a/../../b', 'manifest.json']) {
      const bad = { ...manifest, files: [{ ...manifest.files[0], path }] };
      expect(() => parseManifest(bad), path).toThrow(BundleSchemaError);
    }
  });

  it('names the field of a structural error', async () => {
    const manifest = manifestOf(await encodeBundle(testBundleInput('popularity')));
    const bad = { ...manifest, hyper: { ...manifest.hyper, maxLen: -3 } };
    expect(() => parseManifest(bad)).toThrow(/manifest.json: hyper.maxLen:/);
    expect(() => parseManifest('nope')).toThrow(BundleFormatError);
    expect(() => parseManifest({ ...manifest, vocabulary: { type: 'range', first: 1, count: 3 } })).toThrow(
      /vocabulary.count 3 ≠ hyper.numItems 30/,
    );
  });

  it('tt: checks the factorisation against numItems and dim', async () => {
    const manifest = manifestOf(await encodeBundle(testBundleInput('tt', { numItems: 30, dim: 8 })));
    expect(() => parseManifest({ ...manifest, hyper: { ...manifest.hyper, ttP: [5, 5] } })).toThrow(
      /∏ hyper.ttP = 25 < numItems = 30/,
    );
    expect(() => parseManifest({ ...manifest, hyper: { ...manifest.hyper, ttQ: [2, 2] } })).toThrow(
      /∏ hyper.ttQ = 4 ≠ dim = 8/,
    );
  });

  it('sttd: checks the factorisation against numItems and dim', async () => {
    const manifest = manifestOf(await encodeBundle(testBundleInput('sttd', { numItems: 30, dim: 8 })));
    const withHyper = (hyper: Record<string, unknown>) => ({
      ...manifest,
      hyper: { ...manifest.hyper, ...hyper },
    });
    expect(() => parseManifest(withHyper({ sttdI: [5, 5] }))).toThrow(
      /hyper.sttdI: I1·I2 = 25 < numItems = 30/,
    );
    expect(() => parseManifest(withHyper({ sttdJ: [2, 2] }))).toThrow(/hyper.sttdJ: J1·J2 = 4 ≠ dim = 8/);
    expect(() => parseManifest(withHyper({ sttdT: 3 }))).toThrow(/hyper.sttdRank: R = 2 is not a multiple/);
    expect(() => parseManifest(withHyper({ sttdI: [5, 5] }))).toThrow(BundleSchemaError);
  });

  it('sttd: a core of the wrong shape is a BundleShapeError naming the tensor and the expected shape', async () => {
    const manifest = manifestOf(await encodeBundle(testBundleInput('sttd', { numItems: 30, dim: 8 })));
    // I = [6, 5], J = [2, 4], R = t = 2: g1 is [I1·J1, R] = [12, 2], g2 is [R/t, I2·J2/t] = [1, 10].
    for (const [tensor, shape, expected] of [
      ['sttd.g1', [2, 12], /tensor 'sttd.g1': shape \[2, 12\], expected \[12, 2\]/],
      ['sttd.g2', [10, 1], /tensor 'sttd.g2': shape \[10, 1\], expected \[1, 10\]/],
      ['sttd.g2', [1, 5, 2], /tensor 'sttd.g2': shape \[1, 5, 2\], expected \[1, 10\]/],
    ] as const) {
      const bad = {
        ...manifest,
        tensors: manifest.tensors.map((t) => (t.name === tensor ? { ...t, shape: [...shape] } : t)),
      };
      let caught: unknown;
      try {
        parseManifest(bad);
      } catch (e) {
        caught = e;
      }
      expect(caught, tensor).toBeInstanceOf(BundleShapeError);
      expect((caught as BundleShapeError).tensor).toBe(tensor);
      expect((caught as Error).message).toMatch(expected);
    }
  });
});

describe('bit-packed integer tensors (format version 2)', () => {
  /** A compositional bundle whose code matrix is stored at `bits` bits per code. */
  function packedInput(bits: number, K = 32) {
    const input = testBundleInput('compositional', { numItems: 37, M: 3, K });
    const codes = input.tensors.find((t) => t.name === 'codes')!;
    codes.bits = bits;
    return { input, codes: codes.data };
  }

  it('round-trips the code matrix and stores ⌈count · bits / 8⌉ bytes', async () => {
    const { input, codes } = packedInput(5);
    const files = await encodeBundle(input);
    const manifest = manifestOf(files);
    expect(manifest.formatVersion).toBe(2);
    const entry = manifest.tensors.find((t) => t.name === 'codes')!;
    expect(entry).toMatchObject({ dtype: 'uint8', bits: 5, byteLength: Math.ceil((37 * 3 * 5) / 8) });
    const bundle = await decodeBundleFromFiles(files);
    expect(bundle.tensors.get('codes')!.data).toEqual(codes);
  });

  it('an unpacked bundle stays format version 1 (older readers keep reading it)', async () => {
    const files = await encodeBundle(testBundleInput('compositional', { M: 3, K: 32 }));
    expect(manifestOf(files).formatVersion).toBe(1);
  });

  it('refuses to pack a value that does not fit → BundleValueError', async () => {
    const { input } = packedInput(4); // K = 32 needs 5 bits
    const err = await rejection(encodeBundle(input));
    expect(err).toBeInstanceOf(BundleValueError);
    expect(err.tensor).toBe('codes');
    expect(err.message).toMatch(/does not fit in 4 bits/);
  });

  it('a packed code ≥ K is caught after unpacking', async () => {
    const { input } = packedInput(5, 20); // 5 bits hold up to 31
    const files = await encodeBundle(input);
    const bad = await tamper(files, (m, f) => {
      const entry = m.tensors.find((t) => t.name === 'codes')!;
      f.get(entry.file)![entry.byteOffset]! |= 0b11111; // first code := 31
    });
    const err = await rejection(decodeBundleFromFiles(bad));
    expect(err).toBeInstanceOf(BundleValueError);
    expect(err.message).toMatch(/code 31 of item 0, codebook 0 .* ≥ K = 20/);
  });

  it.each([
    [
      'bits on a float tensor',
      (m: Manifest) =>
        Object.assign(
          m.tensors.find((t) => t.name === 'codebooks')!,
          { bits: 5 },
        ),
      /only uint8\/uint16/,
    ],
    [
      'bits not below the dtype width',
      (m: Manifest) => (m.tensors.find((t) => t.name === 'codes')!.bits = 8),
      /not smaller than uint8/,
    ],
    ['bits in a version-1 manifest', (m: Manifest) => (m.formatVersion = 1), /formatVersion 1 < 2/],
  ])('%s → BundleSchemaError', async (_name, edit, message) => {
    const files = await encodeBundle(packedInput(5).input);
    const err = await rejection(decodeBundleFromFiles(await tamper(files, edit)));
    expect(err).toBeInstanceOf(BundleSchemaError);
    expect(err.message).toMatch(message);
  });

  it('a packed byteLength that does not match → BundleShapeError', async () => {
    const files = await encodeBundle(packedInput(5).input);
    const bad = await tamper(files, (m) => {
      m.tensors.find((t) => t.name === 'codes')!.bits = 6;
    });
    const err = await rejection(decodeBundleFromFiles(bad));
    expect(err).toBeInstanceOf(BundleShapeError);
    expect(err.message).toMatch(/packed at 6 bits/);
  });
});

describe('row-packed code matrices (format version 5)', () => {
  /** 37 items × 3 codes, K = 32; every third item a "tail" item whose codes are < 8 (MGQE). */
  function rowPackedInput() {
    const input = testBundleInput('compositional', { numItems: 37, M: 3, K: 32 });
    const codes = input.tensors.find((t) => t.name === 'codes')!;
    for (let i = 0; i < 37; i += 3) for (let m = 0; m < 3; m++) codes.data[i * 3 + m] = (i + m) % 8;
    codes.data[1 * 3] = 31; // item 1 needs the wide width whatever its draw
    Object.assign(codes, { bits: 5, narrowBits: 3 });
    return { input, codes: codes.data };
  }

  it('round-trips the code matrix; narrow rows counted in the manifest; version 5', async () => {
    const { input, codes } = rowPackedInput();
    const narrowRows = Array.from({ length: 37 }, (_, i) =>
      [0, 1, 2].every((m) => codes[i * 3 + m]! < 8),
    ).filter(Boolean).length;
    expect(narrowRows).toBeGreaterThanOrEqual(13); // the 13 tail items, and any that drew small codes
    const files = await encodeBundle(input);
    const manifest = manifestOf(files);
    expect(manifest.formatVersion).toBe(5);
    const entry = manifest.tensors.find((t) => t.name === 'codes')!;
    expect(entry).toMatchObject({ bits: 5, narrowBits: 3, narrowRows });
    expect(entry.byteLength).toBe(Math.ceil((37 + (37 - narrowRows) * 15 + narrowRows * 9) / 8));
    const bundle = await decodeBundleFromFiles(files);
    expect(bundle.tensors.get('codes')!.data).toEqual(codes);
    // Re-encoding a read bundle keeps the row packing (tensorInputs).
    const again = manifestOf(await encodeBundle({ ...input, tensors: tensorInputs(bundle) }));
    expect(again.tensors.find((t) => t.name === 'codes')).toMatchObject({ narrowBits: 3, narrowRows });
  });

  it('K = 256: wide rows may keep all 8 bits of a uint8, narrow rows fewer', async () => {
    const input = testBundleInput('compositional', { numItems: 20, M: 2, K: 256 });
    const codes = input.tensors.find((t) => t.name === 'codes')!;
    for (let i = 0; i < 40; i++) codes.data[i] = i < 20 ? (i * 37) % 256 : i % 16; // items 10..19 narrow
    Object.assign(codes, { bits: 8, narrowBits: 4 });
    const files = await encodeBundle(input);
    const entry = manifestOf(files).tensors.find((t) => t.name === 'codes')!;
    expect(entry.narrowRows).toBeGreaterThanOrEqual(10);
    expect(entry.byteLength).toBeLessThan(40);
    expect((await decodeBundleFromFiles(files)).tensors.get('codes')!.data).toEqual(codes.data);
    const bad = await tamper(files, (m) => (m.tensors.find((t) => t.name === 'codes')!.bits = 9));
    expect((await rejection(decodeBundleFromFiles(bad))).message).toMatch(/9 bits per value is not smaller/);
  });

  it.each([
    ['row packing in a version-4 manifest', (m: Manifest) => (m.formatVersion = 4), /formatVersion 4 < 5/],
    [
      'narrowBits not below bits',
      (m: Manifest) => (m.tensors.find((t) => t.name === 'codes')!.narrowBits = 5),
      /narrowBits 5 is not below bits 5/,
    ],
    [
      'narrowBits without narrowRows',
      (m: Manifest) => delete m.tensors.find((t) => t.name === 'codes')!.narrowRows,
      /must come together/,
    ],
    [
      'narrowBits without bits',
      (m: Manifest) => delete m.tensors.find((t) => t.name === 'codes')!.bits,
      /without bits/,
    ],
  ])('%s → BundleSchemaError', async (_name, edit, message) => {
    const files = await encodeBundle(rowPackedInput().input);
    const err = await rejection(decodeBundleFromFiles(await tamper(files, edit)));
    expect(err).toBeInstanceOf(BundleSchemaError);
    expect(err.message).toMatch(message);
  });

  it('a narrowRows count that changes the byte length → BundleShapeError naming the packing', async () => {
    const files = await encodeBundle(rowPackedInput().input);
    const bad = await tamper(files, (m) => {
      m.tensors.find((t) => t.name === 'codes')!.narrowRows! -= 8; // 8 · (15 − 9) bits = 6 bytes more
    });
    const err = await rejection(decodeBundleFromFiles(bad));
    expect(err).toBeInstanceOf(BundleShapeError);
    expect(err.message).toMatch(/row-packed at 5\/3 bits/);
  });

  it('flags that disagree with narrowRows at the same byte length → BundleValueError', async () => {
    // One narrow row fewer is 6 bits more, which here stays inside the last byte: the length check
    // passes, and the flags in the data disagree with the manifest.
    const files = await encodeBundle(rowPackedInput().input);
    const entry = manifestOf(files).tensors.find((t) => t.name === 'codes')!;
    const lengthFor = (narrow: number) => Math.ceil((37 + (37 - narrow) * 15 + narrow * 9) / 8);
    expect(lengthFor(entry.narrowRows! - 1)).toBe(entry.byteLength);
    const bad = await tamper(files, (m) => {
      m.tensors.find((t) => t.name === 'codes')!.narrowRows! -= 1;
    });
    const err = await rejection(decodeBundleFromFiles(bad));
    expect(err).toBeInstanceOf(BundleValueError);
    expect(err.message).toMatch(/rows flagged narrow, the manifest says/);
  });
});
