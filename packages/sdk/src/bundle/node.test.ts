import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BundleIntegrityError, BundleLoadError, MANIFEST_FILE, TENSORS_FILE, encodeBundle } from './index.ts';
import { readBundleDir, writeBundleDir } from './node.ts';
import { testBundleInput } from './testing.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'bundle-node-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('bundle folders', () => {
  it('writes a folder and reads the same bundle back', async () => {
    const dir = join(root, 'models', 'x-compositional');
    const input = testBundleInput('compositional');
    await writeBundleDir(dir, await encodeBundle(input));
    expect((await readdir(dir)).sort()).toEqual([MANIFEST_FILE, TENSORS_FILE]);
    const bundle = await readBundleDir(dir);
    expect(Array.from(bundle.tensors.get('codes')!.data)).toEqual(
      Array.from(input.tensors.find((t) => t.name === 'codes')!.data),
    );
  });

  it('replaces an existing bundle whole, leaving no temporary folders', async () => {
    const dir = join(root, 'm');
    await writeBundleDir(
      dir,
      await encodeBundle({ ...testBundleInput('popularity'), vocabulary: ids(30, 'a') }),
    );
    await writeBundleDir(dir, await encodeBundle(testBundleInput('full')));
    expect(await readdir(root)).toEqual(['m']);
    expect((await readdir(dir)).sort()).toEqual([MANIFEST_FILE, TENSORS_FILE]); // old vocab.txt gone
    expect((await readBundleDir(dir)).manifest.kind).toBe('full');
  });

  it('a failed write leaves the previous bundle untouched', async () => {
    const dir = join(root, 'm');
    await writeBundleDir(dir, await encodeBundle(testBundleInput('popularity')));
    const before = await readFile(join(dir, MANIFEST_FILE));
    const files = await encodeBundle(testBundleInput('full'));
    files.set('bad\0name', new Uint8Array(1)); // the file system refuses this name mid-write
    await expect(writeBundleDir(dir, files)).rejects.toThrow();
    expect((await readFile(join(dir, MANIFEST_FILE))).equals(before)).toBe(true);
    expect(await readdir(root)).toEqual(['m']);
  });

  it('names a missing or corrupt file', async () => {
    const dir = join(root, 'm');
    await writeBundleDir(dir, await encodeBundle(testBundleInput('popularity')));
    const bin = await readFile(join(dir, TENSORS_FILE));
    bin[0] ^= 0xff;
    await writeFile(join(dir, TENSORS_FILE), bin);
    await expect(readBundleDir(dir)).rejects.toBeInstanceOf(BundleIntegrityError);
    await rm(join(dir, TENSORS_FILE));
    await expect(readBundleDir(dir)).rejects.toThrow(BundleLoadError);
    await expect(readBundleDir(dir)).rejects.toThrow(/'tensors.bin' in .*: no such file/);
  });
});

function ids(n: number, prefix: string): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}
