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
  /** Folder of `pnpm eval --exclude-seen --by-repeat` results, one `<bundle id>.json` each
   *  (results/exclude-seen): their new-item metrics become `newItemMetrics`. */
  excludeSeenDir?: string;
}

/** The new-item cases' metrics of a committed exclude-seen result, or undefined when there is none. */
async function readNewItemMetrics(dir: string, id: string): Promise<Record<string, number> | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8'));
  } catch {
    return undefined; // no result for this bundle (yet): the shop shows the protocol metrics only
  }
  const newItem = (parsed as { newItem?: Record<string, unknown> } | null)?.newItem;
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
      if (options.excludeSeenDir) {
        const newItem = await readNewItemMetrics(options.excludeSeenDir, entry.name);
        if (newItem) summary.newItemMetrics = newItem;
      }
      bundles.push(summary);
    } catch (error) {
      options.onSkip?.(entry.name, error instanceof Error ? error.message : String(error));
    }
  }
  return bundles;
}
