// `pnpm quality` as a library: for each dataset, list its bundles, evaluate what the cache lacks (three
// modes each), and write results/quality/{README.md, quality.json, pareto.svg}. A dataset not run this
// time keeps its rows from the previous quality.json, so one dataset can be redone alone.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { benchLatency } from './bench-latency.ts';
import { readBundleRef, type BundleRef } from './bundle-ref.ts';
import { listDatasetBundles } from './bundle-list.ts';
import { cachedEvaluations, EVAL_MODE_NAMES, type EvalMode, type EvalOutput } from './eval-cache.ts';
import { QualityInputError } from './errors.ts';
import { paretoChart, paretoFront } from './pareto.ts';
import { qualityRow, teacherName, type QualityRow } from './quality-rows.ts';
import { qualityReadme } from './readme.ts';

export interface DatasetResult {
  dataset: string;
  rows: QualityRow[];
  /** Candidates the candidates file names that are not there. */
  missingCandidates: string[];
  /** Bundles on the Pareto front (bytes vs strip new-item NDCG@10), smallest first. */
  front: string[];
}

export interface QualityReport {
  datasets: DatasetResult[];
}

export interface QualityOptions {
  datasets: { name: string; dir: string }[];
  /** Explicit bundle folders (default: the shipped ones + the candidates file's). */
  bundles?: string[];
  root: string;
  modelsDir: string;
  candidatesFile: string;
  cacheDir: string;
  outDir: string;
  benchFile: string;
  force?: boolean;
  /** Only the first `limit` test cases of each eval (tests; cached under their own key). */
  limit?: number;
  log?: (line: string) => void;
  /** A progress callback for one evaluation (`what`: dataset and bundle). */
  progress?: (what: string) => (done: number, total: number) => void;
}

function bundlesFor(opts: QualityOptions, dataset: string): { bundles: BundleRef[]; missing: string[] } {
  if (!opts.bundles) {
    return listDatasetBundles({
      dataset,
      modelsDir: opts.modelsDir,
      candidatesFile: opts.candidatesFile,
      root: opts.root,
    });
  }
  const mine = opts.bundles.filter(
    (b) => opts.datasets.length === 1 || basename(resolve(b)).startsWith(`${dataset}-`),
  );
  return {
    bundles: mine.map((dir) => {
      if (!existsSync(dir)) throw new QualityInputError(`bundle folder not found: ${dir}`);
      return readBundleRef(dir, resolve(dir).startsWith(resolve(opts.modelsDir)) ? 'shipped' : 'candidate');
    }),
    missing: [],
  };
}

export async function runQuality(opts: QualityOptions): Promise<QualityReport> {
  const log = opts.log ?? (() => {});
  const latency = benchLatency(opts.benchFile);
  // Every input checked before the first (minutes-long) evaluation.
  const plans = opts.datasets.map(({ name: dataset, dir: datasetDir }) => {
    if (!existsSync(join(datasetDir, 'test.txt')))
      throw new QualityInputError(`dataset folder ${datasetDir} has no test.txt`);
    return { dataset, datasetDir, ...bundlesFor(opts, dataset) };
  });
  const results: DatasetResult[] = [];
  for (const { dataset, datasetDir, bundles, missing } of plans) {
    for (const m of missing) log(`quality: candidate ${m} is not there (skipped)`);
    const teacherDir = join(opts.modelsDir, teacherName(dataset));
    const teacher =
      bundles.find((b) => b.name === teacherName(dataset)) ??
      (existsSync(join(teacherDir, 'manifest.json')) ? readBundleRef(teacherDir, 'shipped') : undefined);
    const rows: QualityRow[] = [];
    for (const ref of bundles) {
      const started = performance.now();
      const { entries, ran } = await cachedEvaluations({
        cacheDir: opts.cacheDir,
        dataset,
        datasetDir,
        ref,
        force: opts.force,
        limit: opts.limit,
        onProgress: opts.progress?.(`${dataset} ${ref.name}`),
      });
      if (ran)
        log(
          `quality: ${dataset} ${ref.name} evaluated: ${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
      const evals = Object.fromEntries(EVAL_MODE_NAMES.map((m) => [m, entries[m].result])) as Record<
        EvalMode,
        EvalOutput
      >;
      rows.push(qualityRow(ref, evals, teacher?.bytes, latency(ref.name, ref.bytes)));
    }
    const front = paretoFront(
      rows.map((r) => ({ bundle: r.bundle, bytes: r.bytes, quality: r.strip['NDCG@10'] })),
    );
    results.push({ dataset, rows, missingCandidates: missing, front: front.map((p) => p.bundle) });
  }
  return { datasets: mergeWithPrevious(join(opts.outDir, 'quality.json'), results) };
}

/** This run's datasets, then those only the previous quality.json has (in its order). */
function mergeWithPrevious(file: string, results: DatasetResult[]): DatasetResult[] {
  if (!existsSync(file)) return results;
  let previous: QualityReport;
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as QualityReport;
  } catch {
    return results;
  }
  const ran = new Set(results.map((r) => r.dataset));
  return [...results, ...(previous.datasets ?? []).filter((d) => !ran.has(d.dataset))];
}

/** Writes README.md, quality.json and pareto.svg into `outDir`. */
export function writeQualityOutputs(outDir: string, report: QualityReport): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'quality.json'), `${JSON.stringify(report, null, 2)}\n`);
  const panels = report.datasets.map((d) => ({
    dataset: d.dataset,
    points: d.rows.map((r) => ({
      label: r.bundle.slice(d.dataset.length + 1),
      kind: r.kind.split(' ')[0]!,
      bytes: r.bytes,
      quality: r.strip['NDCG@10'],
    })),
  }));
  writeFileSync(join(outDir, 'pareto.svg'), `${paretoChart(panels)}\n`);
  writeFileSync(join(outDir, 'README.md'), qualityReadme(report));
}
