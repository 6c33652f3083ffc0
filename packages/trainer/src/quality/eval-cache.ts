// The quality table's evaluations, each cached in a committed file keyed by dataset + bundle name +
// bundle version (the manifest's content hash) + mode, so that `pnpm quality` reruns only what is missing
// or stale (a rebuilt bundle has a new version). Each entry is what `pnpm eval <mode flags>` prints; the
// three come from one scoring pass (eval/three-ways.ts).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { evaluateBundleThreeWays, roundMetrics } from '../eval/index.ts';
import type { BundleRef } from './bundle-ref.ts';

/** The three ways the table scores a bundle, as `pnpm eval` flags. */
export const EVAL_MODES = {
  /** The protocol with the bundle's head, repeat and new-item cases apart: `--by-repeat`. */
  protocol: { byRepeat: true, head: true, excludeSeen: false, flags: '--by-repeat' },
  /** θ·e alone (no popularity prior, no repeat head): `--by-repeat --no-head`. */
  theta: { byRepeat: true, head: false, excludeSeen: false, flags: '--by-repeat --no-head' },
  /** What the shop's strip shows, recommend({ excludeSeen: true }): `--exclude-seen --by-repeat`. */
  strip: { byRepeat: true, head: true, excludeSeen: true, flags: '--exclude-seen --by-repeat' },
} as const;
export type EvalMode = keyof typeof EVAL_MODES;
export const EVAL_MODE_NAMES = Object.keys(EVAL_MODES) as EvalMode[];

export type Metrics = Record<string, number>;
/** `pnpm eval --by-repeat …`'s output. */
export type EvalOutput = Metrics & { repeat: Metrics; newItem: Metrics };

export interface CachedEval {
  bundle: string;
  version: string;
  dataset: string;
  mode: EvalMode;
  command: string;
  result: EvalOutput;
}

/** `<cacheDir>/<dataset>/<bundle>.<version>.<mode>[-limit<N>].json` */
export function cacheFile(
  cacheDir: string,
  dataset: string,
  ref: BundleRef,
  mode: EvalMode,
  limit?: number,
): string {
  const suffix = limit === undefined ? '' : `-limit${limit}`;
  return join(cacheDir, dataset, `${ref.name}.${ref.manifest.version}.${mode}${suffix}.json`);
}

/** The cached entry when it is there and is for this bundle version, dataset and mode; else undefined. */
export function readCachedEval(
  cacheDir: string,
  dataset: string,
  ref: BundleRef,
  mode: EvalMode,
  limit?: number,
): CachedEval | undefined {
  const file = cacheFile(cacheDir, dataset, ref, mode, limit);
  if (!existsSync(file)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as CachedEval;
    const fresh =
      entry.version === ref.manifest.version &&
      entry.dataset === dataset &&
      entry.mode === mode &&
      typeof entry.result?.newItem?.['NDCG@10'] === 'number';
    return fresh ? entry : undefined;
  } catch {
    return undefined; // unreadable: evaluated again and rewritten
  }
}

export interface EvalRequest {
  cacheDir: string;
  dataset: string;
  datasetDir: string;
  ref: BundleRef;
  /** Evaluate even when fresh entries are cached. */
  force?: boolean;
  /** Only the first `limit` test cases (tests): cached under their own key, never mistaken for a full run. */
  limit?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * The three modes' entries: from the cache when all are fresh, else from one scoring pass
 * (evaluateBundleThreeWays: each equals its `pnpm eval` run) written to the cache (atomically).
 */
export async function cachedEvaluations(
  req: EvalRequest,
): Promise<{ entries: Record<EvalMode, CachedEval>; ran: boolean }> {
  if (!req.force) {
    const cached = EVAL_MODE_NAMES.map((mode) =>
      readCachedEval(req.cacheDir, req.dataset, req.ref, mode, req.limit),
    );
    if (cached.every((c) => c !== undefined))
      return {
        entries: Object.fromEntries(cached.map((c) => [c.mode, c])) as Record<EvalMode, CachedEval>,
        ran: false,
      };
  }
  const results = await evaluateBundleThreeWays({
    bundleDir: req.ref.dir,
    datasetDir: req.datasetDir,
    limit: req.limit,
    onProgress: req.onProgress,
  });
  const entries = {} as Record<EvalMode, CachedEval>;
  for (const mode of EVAL_MODE_NAMES) {
    const { metrics, repeat, newItem } = results[mode];
    const entry: CachedEval = {
      bundle: req.ref.name,
      version: req.ref.manifest.version,
      dataset: req.dataset,
      mode,
      command: `pnpm eval --bundle <${req.ref.name}> --dataset <${req.dataset}> ${EVAL_MODES[mode].flags}${req.limit ? ` --limit ${req.limit}` : ''}`,
      result: {
        ...roundMetrics(metrics),
        repeat: roundMetrics(repeat),
        newItem: roundMetrics(newItem),
      } as EvalOutput,
    };
    const file = cacheFile(req.cacheDir, req.dataset, req.ref, mode, req.limit);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, `${JSON.stringify(entry, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    entries[mode] = entry;
  }
  return { entries, ran: true };
}
