import { describe, expect, it } from 'vitest';
import { decodeBundleFromFiles } from '../bundle/index.ts';
import type { ModelKind } from '../bundle/types.ts';
import { randomBundleFiles, skuOf } from './random-bundle.ts';

const KINDS: ModelKind[] = ['popularity', 'full', 'compositional', 'tt', 'sttd'];

describe('randomBundleFiles', () => {
  it.each(KINDS)('writes a %s bundle the codec reads back', async (kind) => {
    const files = await randomBundleFiles(kind, {
      numItems: 37,
      dim: 8,
      heads: 2,
      vocabulary: 'list',
      seed: 3,
    });
    const bundle = await decodeBundleFromFiles(files);
    expect(bundle.manifest.kind).toBe(kind);
    expect(bundle.manifest.hyper.numItems).toBe(37);
    expect(bundle.itemIds(5)).toBe(skuOf(5));
    expect(bundle.itemIndex(skuOf(36))).toBe(36);
  });

  it('is reproducible for a seed and differs across seeds', async () => {
    const a = await randomBundleFiles('full', { numItems: 20, seed: 7, info: { fixed: true } });
    const b = await randomBundleFiles('full', { numItems: 20, seed: 7, info: { fixed: true } });
    const c = await randomBundleFiles('full', { numItems: 20, seed: 8, info: { fixed: true } });
    expect(a.get('tensors.bin')).toEqual(b.get('tensors.bin'));
    expect(a.get('tensors.bin')).not.toEqual(c.get('tensors.bin'));
  });

  it('uses uint16 codes when K > 256', async () => {
    const bundle = await decodeBundleFromFiles(
      await randomBundleFiles('compositional', { numItems: 50, K: 300, M: 2 }),
    );
    expect(bundle.tensors.get('codes')!.dtype).toBe('uint16');
  });
});
