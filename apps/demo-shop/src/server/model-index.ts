// Node side (Vite plugin + benchmark CLI): lists the bundle folders under a directory as BundleSummary
// entries, so the shop and the benchmark offer exactly the bundles that exist — no hand-kept list.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
// A relative path, not '@session-rec/sdk/bundle': Vite's config loader bundles relative imports but leaves
// package imports to Node, which cannot load the SDK's source-first .ts files.
import { parseManifest } from '../../../../packages/sdk/src/bundle/index.ts';
import { readBundleDir } from '../../../../packages/sdk/src/bundle/node.ts';
import { computeItemCategories, type ItemCategories } from '../catalog/categories.ts';
import { summarizeManifest, type BundleSummary } from '../models/bundle-summary.ts';

export interface ListOptions {
  /** URL prefix under which `dir` is served, e.g. `/models/`. */
  urlPrefix: string;
  random?: boolean;
  /** Called for folders whose manifest is missing or invalid (they are skipped, not fatal). */
  onSkip?: (folder: string, reason: string) => void;
  /** `pnpm quality`'s evaluation cache (results/quality/evals): the strip result of each bundle's very
   *  version, `<dataset>/<id>.<version>.strip.json` (`pnpm eval --exclude-seen --by-repeat`), gives
   *  `newItemMetrics`; a bundle rebuilt since (new version) has none until `pnpm quality` runs again. */
  qualityEvalsDir?: string;
}

/** The strip's new-item metrics of this bundle version (pnpm quality's cache), or undefined when there are none. */
async function readNewItemMetrics(
  dir: string,
  summary: BundleSummary,
): Promise<Record<string, number> | undefined> {
  let parsed: unknown;
  const file = join(dir, summary.dataset, `${summary.id}.${summary.version}.strip.json`);
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined; // no result for this bundle version (yet): the shop shows the protocol metrics only
  }
  const entry = parsed as { version?: unknown; result?: { newItem?: Record<string, unknown> } } | null;
  if (entry?.version !== summary.version) return undefined;
  const newItem = entry.result?.newItem;
  if (!newItem || typeof newItem !== 'object') return undefined;
  const metrics = Object.entries(newItem).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
  return Object.fromEntries(metrics) as Record<string, number>;
}

/** The categories of a bundle folder's items (catalog/categories.ts); reads and verifies the whole bundle. */
export async function readItemCategories(bundleDir: string): Promise<ItemCategories> {
  return computeItemCategories(await readBundleDir(bundleDir));
}

export async function listBundles(dir: string, options: ListOptions): Promise<BundleSummary[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return []; // no folder: no bundles yet
  }
  const bundles: BundleSummary[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const manifestPath = join(dir, entry.name, 'manifest.json');
    let text: string;
    try {
      text = await readFile(manifestPath, 'utf8');
    } catch {
      options.onSkip?.(entry.name, 'no manifest.json');
      continue;
    }
    try {
      const manifest = parseManifest(JSON.parse(text));
      const url = `${options.urlPrefix}${entry.name}/`;
      const summary = summarizeManifest(entry.name, url, manifest, Buffer.byteLength(text), options.random);
      if (options.qualityEvalsDir) {
        const newItem = await readNewItemMetrics(options.qualityEvalsDir, summary);
        if (newItem) summary.newItemMetrics = newItem;
      }
      bundles.push(summary);
    } catch (error) {
      options.onSkip?.(entry.name, error instanceof Error ? error.message : String(error));
    }
  }
  return bundles;
}
