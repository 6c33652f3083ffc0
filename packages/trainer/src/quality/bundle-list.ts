// Which bundles a dataset's quality table holds: every shipped bundle of the dataset (a folder
// `<dataset>-…` under apps/demo-shop/public/models) and every candidate the committed candidates file
// lists (bundle folders under results/quality/bundles/ or runs/) whose dataset it is. A candidate that is
// not there (not built yet, someone else's training) is reported, not fatal.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readBundleRef, type BundleRef } from './bundle-ref.ts';
import { QualityInputError } from './errors.ts';

export interface BundleListing {
  bundles: BundleRef[];
  /** Candidate folders the candidates file names for this dataset that do not exist (or have no manifest). */
  missing: string[];
}

/** The candidates file: `{ "candidates": ["results/quality/bundles/tmall-teacher-int8", …] }`, paths from `root`. */
export function readCandidates(file: string): string[] {
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new QualityInputError(`candidates file ${file} is not JSON: ${(error as Error).message}`);
  }
  const list = (parsed as { candidates?: unknown } | null)?.candidates;
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string'))
    throw new QualityInputError(`candidates file ${file} must be {"candidates": [<bundle folder>, …]}`);
  return list;
}

/** A folder belongs to `dataset` when its name starts with `<dataset>-` (the shop's naming rule). */
function ofDataset(name: string, dataset: string): boolean {
  return name.startsWith(`${dataset}-`);
}

export function listDatasetBundles(opts: {
  dataset: string;
  modelsDir: string;
  candidatesFile: string;
  /** Paths in the candidates file are relative to this folder (the repository root). */
  root: string;
}): BundleListing {
  const bundles: BundleRef[] = [];
  const shipped = existsSync(opts.modelsDir)
    ? readdirSync(opts.modelsDir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && ofDataset(e.name, opts.dataset))
        .map((e) => e.name)
        .sort()
    : [];
  for (const name of shipped) bundles.push(readBundleRef(join(opts.modelsDir, name), 'shipped'));
  const missing: string[] = [];
  for (const path of readCandidates(opts.candidatesFile)) {
    const name = path.split('/').filter(Boolean).pop() ?? path;
    if (!ofDataset(name, opts.dataset)) continue;
    const dir = resolve(opts.root, path);
    if (!existsSync(join(dir, 'manifest.json'))) missing.push(path);
    else bundles.push(readBundleRef(dir, 'candidate'));
  }
  return { bundles, missing };
}
