// One evaluation worker: ranks the cases c with c % count === index and posts progress, then the ranks.
import { parentPort, workerData } from 'node:worker_threads';
import { loadBundleEvaluation } from './bundle-cases.ts';
import { rankCases } from './evaluate.ts';

export interface WorkerInput {
  entry: string;
  bundleDir: string;
  datasetDir: string;
  limit?: number;
  index: number;
  count: number;
}

export type WorkerMessage = { type: 'progress'; done: number } | { type: 'ranks'; ranks: Int32Array };

const input = workerData as WorkerInput;
const port = parentPort!;
const { engine, bundle, cases } = await loadBundleEvaluation(input.bundleDir, input.datasetDir, input.limit);
const mine = cases.filter((_, c) => c % input.count === input.index);
const ranks = rankCases(mine, (session, out) => engine.scoreAll(session, out), {
  numItems: bundle.manifest.hyper.numItems,
  maxLen: bundle.manifest.hyper.maxLen,
  onProgress: (done) => {
    if (done % 100 === 0) port.postMessage({ type: 'progress', done: 100 } satisfies WorkerMessage);
  },
});
port.postMessage({ type: 'progress', done: mine.length % 100 } satisfies WorkerMessage);
port.postMessage({ type: 'ranks', ranks } satisfies WorkerMessage, [ranks.buffer as ArrayBuffer]);
