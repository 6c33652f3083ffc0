// One evaluation worker: ranks its contiguous share of the cases (contiguous, so that a test session's
// prefixes stay together for prefix sharing), posts progress, then the ranks.
import { parentPort, workerData } from 'node:worker_threads';
import { loadBundleEvaluation } from './bundle-cases.ts';
import { rankCasesWithEngine } from './prefix-groups.ts';
import type { TensorTrainRows } from './tensor-train-rows.ts';

export interface WorkerInput {
  entry: string;
  bundleDir: string;
  datasetDir: string;
  limit?: number;
  rows: TensorTrainRows;
  excludeSeen: boolean;
  head: boolean;
  index: number;
  count: number;
}

export type WorkerMessage = { type: 'progress'; done: number } | { type: 'ranks'; ranks: Int32Array };

const input = workerData as WorkerInput;
const port = parentPort!;
const { engine, bundle, cases } = await loadBundleEvaluation(
  input.bundleDir,
  input.datasetDir,
  input.limit,
  input.rows,
);
const mine = cases.slice(
  Math.floor((input.index * cases.length) / input.count),
  Math.floor(((input.index + 1) * cases.length) / input.count),
);
let reported = 0;
const ranks = rankCasesWithEngine(mine, engine, {
  numItems: bundle.manifest.hyper.numItems,
  maxLen: bundle.manifest.hyper.maxLen,
  excludeSeen: input.excludeSeen,
  head: input.head,
  onProgress: (done) => {
    if (done - reported < 100 && done < mine.length) return;
    port.postMessage({ type: 'progress', done: done - reported } satisfies WorkerMessage);
    reported = done;
  },
});
port.postMessage({ type: 'ranks', ranks } satisfies WorkerMessage, [ranks.buffer as ArrayBuffer]);
