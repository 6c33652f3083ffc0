// serveRange in a Node worker_thread, for the pool's tests and its Node benchmark (the SDK's own
// score-worker.ts is a Web Worker).
import { parentPort } from 'node:worker_threads';
import type { WorkerInit } from '../protocol.ts';
import { serveRange } from '../serve-range.ts';

parentPort!.once('message', (init: WorkerInit) => {
  parentPort!.postMessage('ready');
  serveRange(init);
});
