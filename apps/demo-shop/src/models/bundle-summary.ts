// What the shop and the benchmark know about a servable bundle without downloading it: one entry of
// `/models/index.json`, derived from the bundle's manifest.json by the Vite plugin (server/model-index.ts).
import type { Manifest, ModelKind } from '@session-rec/sdk/bundle';

export interface BundleSummary {
  /** Folder name, e.g. `tmall-teacher`. */
  id: string;
  /** URL of the bundle folder (what `createRecommender({ model })` takes), ending in `/`. */
  url: string;
  dataset: string;
  kind: ModelKind;
  version: string;
  numItems: number;
  /** Bytes a browser downloads: manifest + every file. */
  bundleBytes: number;
  /** Bytes the same model would take with an uncompressed float32 item table (null for popularity). */
  uncompressedBytes: number | null;
  metrics: Record<string, number>;
  /** What the strip (`recommend({ excludeSeen: true })`) scores on the test cases whose next click is a
   *  new item (`pnpm eval --exclude-seen --by-repeat`, committed in results/exclude-seen/<id>.json), in %. */
  newItemMetrics?: Record<string, number>;
  /** True for random-weight bundles the benchmark generates for kinds not trained yet. */
  random: boolean;
}

/** Tensors that make up the item table of each kind (docs/model.md); everything else is shared weights. */
export function isItemTableTensor(kind: ModelKind, name: string): boolean {
  switch (kind) {
    case 'full':
      return name === 'items';
    case 'compositional':
      return name === 'codes' || name === 'codebooks';
    case 'tt':
      return name.startsWith('tt.');
    case 'sttd':
      return name.startsWith('sttd.');
    case 'popularity':
      return false;
  }
}

/** Folder names follow `<dataset>-<kind>[-suffix]`; the manifest's info.dataset wins when present. */
function datasetOf(id: string, manifest: Manifest): string {
  const fromInfo = manifest.info?.dataset;
  if (typeof fromInfo === 'string' && fromInfo.length > 0) return fromInfo;
  return id.split('-')[0];
}

export function summarizeManifest(
  id: string,
  url: string,
  manifest: Manifest,
  manifestBytes: number,
  random = false,
): BundleSummary {
  const fileBytes = manifest.files.reduce((sum, file) => sum + file.byteLength, 0);
  const bundleBytes = manifestBytes + fileBytes;
  let uncompressedBytes: number | null = null;
  const dim = manifest.hyper.dim;
  if (manifest.kind !== 'popularity' && dim) {
    const tableBytes = manifest.tensors
      .filter((tensor) => isItemTableTensor(manifest.kind, tensor.name))
      .reduce((sum, tensor) => sum + tensor.byteLength, 0);
    uncompressedBytes = bundleBytes - tableBytes + manifest.hyper.numItems * dim * 4;
  }
  return {
    id,
    url,
    dataset: datasetOf(id, manifest),
    kind: manifest.kind,
    version: manifest.version,
    numItems: manifest.hyper.numItems,
    bundleBytes,
    uncompressedBytes,
    metrics: manifest.metrics ?? {},
    random: random || manifest.info?.random === true,
  };
}

// Tensor-train baselines come after the teacher: they are there to compare with, and rebuilding their rows
// makes every recommendation slower than the full table's (Tmall CPU p50: tt 247 ms, sttd 65 ms, full 15 ms,
// compositional 2 ms — bench/results/latest.md).
const KIND_TIER: Record<ModelKind, number> = { compositional: 0, full: 1, tt: 2, sttd: 2, popularity: 3 };

/** A compressed bundle is shown by default only if it keeps this share of its dataset's full model's NDCG@10. */
export const DEFAULT_MIN_SHARE_OF_FULL = 0.9;

/**
 * The shop's default: the best trained compositional bundle that is nearly as good as the full model of
 * its dataset (an undertrained student must not be the first thing a visitor sees), else the teacher
 * (full), else a tensor-train baseline, else popularity; within a tier the higher NDCG@10 (then P@10)
 * wins, then the folder name.
 */
export function chooseDefaultBundle(bundles: readonly BundleSummary[]): BundleSummary | undefined {
  const quality = (b: BundleSummary) => b.metrics['NDCG@10'] ?? b.metrics['P@10'] ?? -1;
  const bestFull = new Map<string, number>();
  for (const b of bundles)
    if (b.kind === 'full' && !b.random)
      bestFull.set(b.dataset, Math.max(bestFull.get(b.dataset) ?? -1, quality(b)));
  const goodEnough = (b: BundleSummary) =>
    b.kind === 'full' ||
    b.kind === 'popularity' ||
    !bestFull.has(b.dataset) ||
    quality(b) >= DEFAULT_MIN_SHARE_OF_FULL * bestFull.get(b.dataset)!;
  return bundles
    .filter((b) => !b.random && goodEnough(b))
    .slice()
    .sort(
      (a, b) => KIND_TIER[a.kind] - KIND_TIER[b.kind] || quality(b) - quality(a) || a.id.localeCompare(b.id),
    )[0];
}
