// A shop's page as a user of the npm package writes it (copied into a scratch Vite app outside the
// workspace by pack-vite-app.spec.ts, built with `vite build` against the packed tarball): the recommender
// on the CPU and on WebGPU (the lazy chunk), and the worker engine (the worker file, loaded by URL).
import { createRecommender, type Backend } from '@session-rec/sdk';
import { decodeBundle } from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { createWebGpuWorkerEngine } from '@session-rec/sdk/engine/webgpu-worker';

const MODEL = '/models/tmall-compositional/';

export interface PackedRun {
  engine: string;
  items: { itemId: string; score: number }[];
}

async function recommend(backend: Backend, clicks: string[]): Promise<PackedRun> {
  const rec = await createRecommender({ model: MODEL, backend, storage: 'memory' });
  rec.reset(); // the session is kept per model across recommenders (sessionStorage): start from these clicks
  for (const id of clicks) rec.track(id);
  const items = await rec.recommend({ k: 10, excludeSeen: true });
  const engine = rec.engine;
  rec.dispose();
  return { engine, items };
}

/** The worker engine and the CPU engine on the same bundle and session (internal indices). */
async function workerVersusCpu(session: number[]) {
  const bundle = await decodeBundle(
    async (path) => new Uint8Array(await (await fetch(MODEL + path)).arrayBuffer()),
  );
  const worker = await createWebGpuWorkerEngine(bundle);
  const cpu = createCpuEngine(bundle);
  const result = {
    worker: await worker.recommend(session, { k: 10 }),
    cpu: await cpu.recommend(session, { k: 10 }),
  };
  worker.dispose();
  cpu.dispose();
  return result;
}

const api = { recommend, workerVersusCpu };
export type PackedApi = typeof api;
(window as unknown as { packed: PackedApi }).packed = api;
document.getElementById('status')!.textContent = 'ready';
