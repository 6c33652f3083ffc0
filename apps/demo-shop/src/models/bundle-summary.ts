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
   *  new item (`pnpm eval --exclude-seen --by-repeat`, cached per bundle version by `pnpm quality` in
   *  results/quality/evals/), in %. */
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

/** A compressed bundle is shown by default only if it keeps this share of its dataset's full model's quality. */
export const DEFAULT_MIN_SHARE_OF_FULL = 0.9;

/** What the shopper sees: the strip's new-item NDCG@10 (then P@10), undefined when not measured. */
function stripQuality(b: BundleSummary): number | undefined {
  return b.newItemMetrics?.['NDCG@10'] ?? b.newItemMetrics?.['P@10'];
}

/** The protocol's NDCG@10 (then P@10): only where a strip measurement is missing. */
function protocolQuality(b: BundleSummary): number {
  return b.metrics['NDCG@10'] ?? b.metrics['P@10'] ?? -1;
}

/**
 * The shop's default: the best trained compositional bundle that is nearly as good as the full model of
 * its dataset in what the strip shows (an undertrained student, or one that reaches the protocol's numbers
 * only through its repeat head, which the strip never uses, must not be the first thing a visitor sees),
 * else the teacher (full), else a tensor-train baseline, else popularity. Quality is the strip's new-item
 * NDCG@10; a bundle without that measurement is compared by protocol NDCG@10 with its own dataset's full
 * model only when that one lacks it too, and ranks after the measured ones of its tier. Ties: folder name.
 */
export function chooseDefaultBundle(bundles: readonly BundleSummary[]): BundleSummary | undefined {
  const trained = bundles.filter((b) => !b.random);
  const bestFull = new Map<string, BundleSummary>();
  const better = (a: BundleSummary, b: BundleSummary) =>
    (stripQuality(a) === undefined ? 1 : 0) - (stripQuality(b) === undefined ? 1 : 0) ||
    (stripQuality(b) ?? protocolQuality(b)) - (stripQuality(a) ?? protocolQuality(a));
  for (const b of trained) {
    const best = bestFull.get(b.dataset);
    if (b.kind === 'full' && (!best || better(b, best) < 0)) bestFull.set(b.dataset, b);
  }
  const goodEnough = (b: BundleSummary) => {
    const full = bestFull.get(b.dataset);
    if (b.kind === 'full' || b.kind === 'popularity' || !full) return true;
    const [mine, theirs] = [stripQuality(b), stripQuality(full)];
    if (mine !== undefined && theirs !== undefined) return mine >= DEFAULT_MIN_SHARE_OF_FULL * theirs;
    if (theirs !== undefined) return false; // unmeasured against a measured teacher: not shown by default
    return protocolQuality(b) >= DEFAULT_MIN_SHARE_OF_FULL * protocolQuality(full);
  };
  return trained
    .filter(goodEnough)
    .sort((a, b) => KIND_TIER[a.kind] - KIND_TIER[b.kind] || better(a, b) || a.id.localeCompare(b.id))[0];
}
