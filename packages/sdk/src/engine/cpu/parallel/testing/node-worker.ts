// A Node worker_thread running node-score-worker.ts (through tsx), behind the WorkerLike the pool uses.
import { Worker } from 'node:worker_threads';
import type { WorkerLike } from '../score-pool.ts';

export function spawnNodeScoreWorker(): WorkerLike {
  const w = new Worker(new URL('./node-score-worker-boot.mjs', import.meta.url));
  const like: WorkerLike = {
    postMessage: (m) => w.postMessage(m),
    onmessage: null,
    onerror: null,
    terminate: () => void w.terminate(),
  };
  w.on('message', (data) => like.onmessage?.({ data }));
  w.on('error', (err) => like.onerror?.(err));
  return like;
}

/** Resolves once the engine's pool has started or closed (or after `ms`), with its thread count. */
export async function untilThreads(
  engine: { threads: number; threadsReady: Promise<number> },
  ms = 20_000,
): Promise<number> {
  await Promise.race([engine.threadsReady, new Promise((r) => setTimeout(r, ms))]);
  return engine.threads;
}
