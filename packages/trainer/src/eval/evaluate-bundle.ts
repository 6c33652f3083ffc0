// `pnpm eval` as a library: a bundle folder × a dataset folder → the protocol's metrics, scored by the
// SDK's CPU engine (the numbers a browser would produce). Optionally split across worker threads.
import { Worker } from 'node:worker_threads';
import { loadBundleEvaluation } from './bundle-cases.ts';
import { DEFAULT_CUTOFFS, MetricAccumulator, roundMetrics } from './metrics.ts';
import { rankCasesWithEngine } from './prefix-groups.ts';
import type { TensorTrainRows } from './tensor-train-rows.ts';
import type { WorkerInput, WorkerMessage } from './worker.ts';

export interface EvaluateBundleOptions {
  bundleDir: string;
  datasetDir: string;
  /** Only the first `limit` test cases. */
  limit?: number;
  /** Worker threads; 1 (default) scores in this thread. */
  workers?: number;
  /**
   * tt/sttd bundles: rows rebuilt once per engine ('materialized', default: same scores, minutes) or for
   * every query as a device does ('per-query': hours on the full test sets).
   */
  rows?: TensorTrainRows;
  /**
   * Also report the metrics of the repeat cases (the label is already in the prefix: 45% of Tmall's
   * test cases) and of the new-item cases apart — where a compressed item table loses accuracy.
   */
  byRepeat?: boolean;
  /**
   * Rank among the items outside the prefix, as recommend({ excludeSeen: true }) — the demo shop's strip —
   * does: repeat cases are misses, the new-item cases measure the list a shopper sees.
   */
  excludeSeen?: boolean;
  /**
   * Score with the bundle's head — popularity prior and repeat head — (default true: what the engine
   * recommends with); false gives θ·e alone (`pnpm eval --no-head`).
   */
  head?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface BundleMetrics {
  metrics: Record<string, number>;
  /** With `byRepeat`: metrics over the cases whose label is / is not in the prefix. */
  repeat?: Record<string, number>;
  newItem?: Record<string, number>;
  kind: string;
  dataset: string;
}

export async function evaluateBundle(opts: EvaluateBundleOptions): Promise<BundleMetrics> {
  const workers = opts.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`workers must be a positive integer, got ${workers}`);
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1)) {
    throw new RangeError(`limit must be a positive integer, got ${opts.limit}`);
  }
  // Loaded here even with workers: the input errors surface once, before any thread starts.
  const { bundle, engine, cases, datasetName } = await loadBundleEvaluation(
    opts.bundleDir,
    opts.datasetDir,
    opts.limit,
    opts.rows,
  );
  const acc = new MetricAccumulator(DEFAULT_CUTOFFS);
  let ranks: Int32Array[];
  if (workers === 1 || cases.length < 2 * workers) {
    ranks = [
      rankCasesWithEngine(cases, engine, {
        numItems: bundle.manifest.hyper.numItems,
        maxLen: bundle.manifest.hyper.maxLen,
        excludeSeen: opts.excludeSeen ?? false,
        head: opts.head ?? true,
        onProgress: opts.onProgress,
      }),
    ];
  } else {
    engine.dispose();
    ranks = await rankInWorkers(opts, workers, cases.length);
  }
  for (const part of ranks) for (const r of part) acc.add(r);
  const result: BundleMetrics = { metrics: acc.result(), kind: bundle.manifest.kind, dataset: datasetName };
  if (opts.byRepeat) {
    const repeat = new MetricAccumulator(DEFAULT_CUTOFFS);
    const newItem = new MetricAccumulator(DEFAULT_CUTOFFS);
    let i = 0;
    for (const part of ranks)
      for (const r of part) {
        const c = cases[i++]!;
        (Array.prototype.includes.call(c.prefix, c.label) ? repeat : newItem).add(r);
      }
    result.repeat = repeat.result();
    result.newItem = newItem.result();
  }
  return result;
}

function rankInWorkers(opts: EvaluateBundleOptions, count: number, total: number): Promise<Int32Array[]> {
  let done = 0;
  const entry = new URL('./worker.ts', import.meta.url).href;
  const jobs = Array.from({ length: count }, (_, index) => {
    const input: WorkerInput = {
      entry,
      bundleDir: opts.bundleDir,
      datasetDir: opts.datasetDir,
      limit: opts.limit,
      rows: opts.rows ?? 'materialized',
      excludeSeen: opts.excludeSeen ?? false,
      head: opts.head ?? true,
      index,
      count,
    };
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: input });
    return new Promise<Int32Array>((resolve, reject) => {
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'progress') {
          done += msg.done;
          opts.onProgress?.(done, total);
        } else {
          resolve(msg.ranks);
          void worker.terminate();
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`evaluation worker ${index} exited with code ${code}`)));
    });
  });
  return Promise.all(jobs);
}

/**
 * `pnpm eval`'s numbers (rounded as it prints them) for a bundle, tt/sttd rows rebuilt once instead of per
 * test case: the scores are bit-identical (tensor-train-tables.test.ts), and 25,898 catalogue
 * reconstructions (~1 h per bundle on one core) become one. Progress on stderr every 30 s.
 */
export async function evaluateThroughCpuEngine(
  bundleDir: string,
  datasetDir: string,
): Promise<Record<string, number>> {
  let last = 0;
  const { metrics } = await evaluateBundle({
    bundleDir,
    datasetDir,
    workers: 1,
    rows: 'materialized',
    onProgress: (done, total) => {
      if (performance.now() - last < 30_000 && done < total) return;
      last = performance.now();
      process.stderr.write(`eval (CPU engine, materialized rows): ${done}/${total} cases\n`);
    },
  });
  return roundMetrics(metrics);
}
