// A refreshed model (`pnpm train refresh`) reaching a page that holds the previous version: the next load
// downloads, verifies and stores version N+1 and deletes N; the open session (external ids in
// sessionStorage) survives the update — clicks on kept items still count, a removed item is skipped with
// an `unknown-item` warning as track() skips unknown ids, new items can be clicked and recommended.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { decodeBundleFromFiles, encodeBundle, tensorInputs } from '../bundle/index.ts';
import type { ModelBundle } from '../bundle/types.ts';
import { createCpuEngine } from '../engine/cpu/index.ts';
import type { RecommenderWarning } from '../events.ts';
import type { SessionPersistence } from '../session/click-session.ts';
import { bundleServer, TEST_MODEL_URL } from '../testing/bundle-server.ts';
import { randomBundleFiles, skuOf } from '../testing/random-bundle.ts';
import { indexedDbModelStore } from '../storage/model-store.ts';
import { storedVersionKeys } from '../storage/stored-models.ts';
import { createRecommender } from './recommender.ts';

const V = 60;
const M = 4;
const REMOVED = [skuOf(0), skuOf(1)];
const ADDED = ['sku-new-1', 'sku-new-2', 'sku-new-3'];

/** Version N+1 as a refresh writes it: items 0 and 1 gone, three new ones appended with codes of their own. */
async function refreshed(previous: ModelBundle): Promise<Map<string, Uint8Array>> {
  const codes = previous.tensors.get('codes')!.data;
  const kept = Array.from({ length: V - 2 }, (_, i) => i + 2);
  const rows = [...kept, 5, 9, 13]; // the new items' codes: composites of the same codewords
  const next = Uint8Array.from(rows.flatMap((r) => Array.from(codes.subarray(r * M, (r + 1) * M))));
  const numItems = rows.length;
  return encodeBundle({
    kind: 'compositional',
    hyper: { ...previous.manifest.hyper, numItems },
    vocabulary: [...kept.map(skuOf), ...ADDED],
    tensors: [
      ...tensorInputs(previous, (name) => name === 'codes' || name === 'popularity'),
      { name: 'codes', dtype: 'uint8', shape: [numItems, M], data: next },
      {
        name: 'popularity',
        dtype: 'uint32',
        shape: [numItems],
        data: Uint32Array.from({ length: numItems }, (_, i) => numItems - 1 - i), // new items most popular
      },
    ],
    info: { refreshedFrom: { version: previous.manifest.version } },
  });
}

describe('a refreshed model reaching an open session', () => {
  it('N → N+1 on the next load: kept clicks still recommend, removed ones are reported, new items recommended', async () => {
    const filesN = await randomBundleFiles('compositional', {
      numItems: V,
      dim: 8,
      M,
      K: 16,
      seed: 4,
      vocabulary: 'list',
    });
    const bundleN = await decodeBundleFromFiles(filesN);
    const filesN1 = await refreshed(bundleN);
    const bundleN1 = await decodeBundleFromFiles(filesN1);
    const server = bundleServer(filesN);
    const tab = new Map<string, string>();
    const sessionPersistence: SessionPersistence = {
      getItem: (k) => tab.get(k) ?? null,
      setItem: (k, v) => void tab.set(k, v),
      removeItem: (k) => void tab.delete(k),
    };
    const store = indexedDbModelStore('model-refresh-test');
    const deps = { store, sessionPersistence, choiceStorage: null };
    const open = async (warnings: RecommenderWarning[]) =>
      createRecommender(
        { model: TEST_MODEL_URL, fetch: server.fetch, backend: 'cpu', onWarning: (w) => warnings.push(w) },
        deps,
      );

    const page1 = await open([]);
    expect(page1.model.version).toBe(bundleN.manifest.version);
    for (const id of [skuOf(10), REMOVED[0]!, skuOf(20), skuOf(10)]) expect(page1.track(id)).toBe(true);
    page1.dispose();

    server.serve(filesN1); // the refreshed bundle is deployed
    const warnings: RecommenderWarning[] = [];
    const page2 = await open(warnings);
    expect(page2.model).toMatchObject({
      version: bundleN1.manifest.version,
      source: 'network',
      numItems: V + 1,
    });
    expect(await storedVersionKeys(store, TEST_MODEL_URL)).toHaveLength(1); // N deleted once N+1 was stored
    // The session survived the update without the removed item, and said so.
    expect(page2.session).toEqual([skuOf(10), skuOf(20), skuOf(10)]);
    expect(warnings).toEqual([expect.objectContaining({ code: 'unknown-item', itemId: REMOVED[0] })]);
    // …and scores as N+1's engine scores the surviving clicks (by their new indices).
    const reference = createCpuEngine(bundleN1);
    const surviving = [skuOf(10), skuOf(20), skuOf(10)].map((id) => bundleN1.itemIndex(id));
    const want = await reference.recommend(surviving, { k: 10 });
    expect(await page2.recommend({ k: 10 })).toEqual(
      want.map((r) => ({ itemId: bundleN1.itemIds(r.index), score: r.score })),
    );
    // A removed item is now an unknown id: skipped and reported, never thrown.
    expect(page2.track(REMOVED[1]!)).toBe(false);
    expect(page2.warnings.at(-1)).toMatchObject({ code: 'unknown-item', itemId: REMOVED[1] });
    // New items: clickable, and recommended (the empty session's popularity order puts them first).
    expect(page2.track(ADDED[0]!)).toBe(true);
    const all = await page2.recommend({ k: V + 1 });
    expect(all.map((r) => r.itemId)).toEqual(expect.arrayContaining(ADDED));
    page2.reset();
    expect((await page2.recommend({ k: 3 })).map((r) => r.itemId)).toEqual([...ADDED].reverse());
    page2.dispose();
  });
});
