// Node side (Vite plugin + benchmark CLI): lists the bundle folders under a directory as BundleSummary
// entries, so the shop and the benchmark offer exactly the bundles that exist — no hand-kept list.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
// A relative path, not '@session-rec/sdk/bundle': Vite's config loader bundles relative imports but leaves
// package imports to Node, which cannot load the SDK's source-first .ts files.
import { parseManifest } from '../../../../packages/sdk/src/bundle/index.ts';
import { summarizeManifest, type BundleSummary } from '../models/bundle-summary.ts';

export interface ListOptions {
  /** URL prefix under which `dir` is served, e.g. `/models/`. */
  urlPrefix: string;
  random?: boolean;
  /** Called for folders whose manifest is missing or invalid (they are skipped, not fatal). */
  onSkip?: (folder: string, reason: string) => void;
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
      bundles.push(summarizeManifest(entry.name, url, manifest, Buffer.byteLength(text), options.random));
    } catch (error) {
      options.onSkip?.(entry.name, error instanceof Error ? error.message : String(error));
    }
  }
  return bundles;
}
