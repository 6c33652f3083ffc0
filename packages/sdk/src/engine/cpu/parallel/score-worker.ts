// Web Worker entry of the CPU engine's scoring pool: one init message, then serveRange's loop.
import type { WorkerInit } from './protocol.ts';
import { serveRange } from './serve-range.ts';

self.onmessage = (e: MessageEvent<WorkerInit>) => {
  postMessage('ready');
  serveRange(e.data);
};
