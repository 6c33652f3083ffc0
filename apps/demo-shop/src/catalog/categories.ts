// Item categories from the model itself, so that a good recommendation also looks right to a person
// (items of one category share a name family). Computed from a decoded bundle at build time (and by the
// dev server) into `/models/<id>/categories.json`, because the SDK keeps the bundle's tensors to itself:
//  - compositional bundles: an item's category is its first codebook's code (codes[i, 0]) — items whose
//    first codeword is the same cluster of the codebook;
//  - every other kind (no codebook; no k-means run here): the item's popularity tier, from the bundle's
//    shipped popularity order (top 100, top 1,000, the rest of the order, the long tail).
import type { ModelBundle } from '@session-rec/sdk/bundle';

export interface ItemCategories {
  source: 'codebook' | 'popularity-tier';
  /** Number of categories (K for a codebook, the tier count otherwise). */
  count: number;
  /** Per category index: its items' ids, space separated (ids never contain spaces: vocabulary lines). */
  groups: string[];
  /** The category of every id in no group (the long tail of the popularity tiers), or -1. */
  rest: number;
  /** Popularity tiers: the rank each tier ends at (exclusive), e.g. [100, 1000, 7500]. */
  tierEnds?: number[];
}

const TIER_ENDS = [100, 1000];

export function computeItemCategories(bundle: ModelBundle): ItemCategories {
  const { manifest } = bundle;
  const numItems = manifest.hyper.numItems;
  const codes = bundle.tensors.get('codes');
  if (manifest.kind === 'compositional' && codes) {
    const M = codes.shape[1];
    const K = Number(manifest.hyper.K);
    const members: string[][] = Array.from({ length: K }, () => []);
    for (let i = 0; i < numItems; i++) members[codes.data[i * M]].push(bundle.itemIds(i));
    return { source: 'codebook', count: K, groups: members.map((ids) => ids.join(' ')), rest: -1 };
  }
  const order = bundle.tensors.get('popularity')?.data ?? new Uint32Array(0);
  const ends = [...TIER_ENDS.filter((end) => end < order.length), order.length];
  const members: string[][] = ends.map(() => []);
  let tier = 0;
  for (let rank = 0; rank < order.length; rank++) {
    while (rank >= ends[tier]) tier++;
    members[tier].push(bundle.itemIds(order[rank]));
  }
  const hasTail = order.length < numItems;
  return {
    source: 'popularity-tier',
    count: ends.length + (hasTail ? 1 : 0),
    groups: members.map((ids) => ids.join(' ')),
    rest: hasTail ? ends.length : -1,
    tierEnds: ends,
  };
}

/** id → category index, or undefined for an id the categories do not cover. */
export function categoryIndex(categories: ItemCategories): (id: string) => number | undefined {
  const byId = new Map<string, number>();
  categories.groups.forEach((group, index) => {
    if (group.length > 0) for (const id of group.split(' ')) byId.set(id, index);
  });
  return (id) => byId.get(id) ?? (categories.rest >= 0 ? categories.rest : undefined);
}

/** Checks a fetched categories.json (it comes from the network: a stale or broken file must not crash). */
export function parseItemCategories(value: unknown): ItemCategories {
  const c = value as Partial<ItemCategories> | null;
  const ok =
    c !== null &&
    typeof c === 'object' &&
    (c.source === 'codebook' || c.source === 'popularity-tier') &&
    Number.isInteger(c.count) &&
    Array.isArray(c.groups) &&
    c.groups.every((g) => typeof g === 'string') &&
    Number.isInteger(c.rest);
  if (!ok) throw new TypeError('categories.json: not an item-categories file');
  return c as ItemCategories;
}
