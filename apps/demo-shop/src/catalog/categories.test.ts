import { decodeBundleFromFiles } from '@session-rec/sdk/bundle';
import { randomBundleFiles } from '@session-rec/sdk/testing';
import { describe, expect, it } from 'vitest';
import { categoryIndex, computeItemCategories, parseItemCategories } from './categories.ts';
import { itemIdentity, modelCategory } from './item-identity.ts';

const V = 400;

describe('computeItemCategories', () => {
  it('a compositional bundle: every item in the group of its first codebook code', async () => {
    const bundle = await decodeBundleFromFiles(
      await randomBundleFiles('compositional', { numItems: V, M: 3, K: 8, seed: 7, vocabulary: 'list' }),
    );
    const categories = computeItemCategories(bundle);
    expect(categories.source).toBe('codebook');
    expect(categories.count).toBe(8);
    const of = categoryIndex(parseItemCategories(JSON.parse(JSON.stringify(categories))));
    const codes = bundle.tensors.get('codes')!.data;
    for (let i = 0; i < V; i++) expect(of(bundle.itemIds(i))).toBe(codes[i * 3]);
    // Each item exactly once over all groups.
    const all = categories.groups.flatMap((g) => (g ? g.split(' ') : []));
    expect(all.length).toBe(V);
    expect(new Set(all).size).toBe(V);
    expect(of('not-an-item')).toBeUndefined();
  });

  it('other kinds: the popularity tier of the shipped order, the rest is the long tail', async () => {
    const bundle = await decodeBundleFromFiles(
      await randomBundleFiles('full', { numItems: 3000, dim: 8, seed: 3 }),
    );
    const order = bundle.tensors.get('popularity')!.data;
    const categories = computeItemCategories(bundle);
    expect(categories.source).toBe('popularity-tier');
    const of = categoryIndex(categories);
    const ends = categories.tierEnds!;
    expect(ends.slice(0, 2)).toEqual([100, 1000]);
    for (const rank of [0, 99, 100, 999, 1000, order.length - 1]) {
      const tier = ends.findIndex((end) => rank < end);
      expect(of(bundle.itemIds(order[rank])), `rank ${rank}`).toBe(tier);
    }
    const inOrder = new Set(Array.from(order));
    const tail = Array.from({ length: 3000 }, (_, i) => i).find((i) => !inOrder.has(i));
    if (tail !== undefined) expect(of(bundle.itemIds(tail))).toBe(categories.rest);
  });

  it('rejects a file that is not a categories file', () => {
    expect(() => parseItemCategories({ source: 'x' })).toThrow(/categories/);
    expect(() => parseItemCategories(null)).toThrow(/categories/);
  });
});

describe('model categories in the made-up identity', () => {
  it('items of one codebook code share the category label and name family', () => {
    const cat = modelCategory('codebook', 13);
    expect(cat.label).toMatch(/aisle 14$/);
    const a = itemIdentity('101', cat);
    const b = itemIdentity('202', cat);
    expect(a.category).toBe(cat.label);
    expect(b.category).toBe(cat.label);
    // Same family: both nouns come from the same list as a third item of the same code.
    const family = new Set(
      Array.from({ length: 300 }, (_, i) => itemIdentity(String(i), cat).name.split(' ').slice(2).join(' ')),
    );
    expect(family.size).toBeLessThanOrEqual(7);
  });

  it('popularity tiers are named by their rank range', () => {
    expect(modelCategory('popularity-tier', 0, [100, 1000, 5000]).label).toBe('Bestsellers (top 100)');
    expect(modelCategory('popularity-tier', 2, [100, 1000, 5000]).label).toBe('Popular (top 5,000)');
    expect(modelCategory('popularity-tier', 3, [100, 1000, 5000]).label).toBe('Long tail');
  });
});
