// Web Worker entry of the WebGPU engine: the engine (kernels, buffers, mapAsync) lives in a worker so that a
// shop's main thread never waits on it. Started by `createWebGpuWorkerEngine` (webgpu-worker-client.ts);
// the protocol is that file's `WorkerRequest` / `WorkerReply`.
import type { ModelBundle } from '../bundle/types.ts';
import type { Engine } from './types.ts';
import type { WorkerReply, WorkerRequest } from './webgpu-worker-client.ts';
import { createWebGpuEngine } from './webgpu/index.ts';

const scope = self as unknown as {
  postMessage(m: WorkerReply): void;
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
};
let engine: Engine | undefined;

function bundleOf(req: Extract<WorkerRequest, { type: 'init' }>): ModelBundle {
  // The engine reads only the manifest and the tensors; external ids stay on the main thread.
  return {
    manifest: req.manifest,
    tensors: req.tensors,
    itemIds: (index) => String(index),
    itemIndex: () => -1,
  };
}

scope.onmessage = async (event) => {
  const req = event.data;
  try {
    if (req.type === 'init') {
      const e = await createWebGpuEngine(bundleOf(req), {
        onDeviceLost: (info) => scope.postMessage({ type: 'lost', info }),
      });
      engine = e;
      scope.postMessage({ type: 'reply', id: req.id, ok: true, value: { gpuBytes: e.gpuBytes } });
    } else if (req.type === 'recommend') {
      if (engine === undefined) throw new Error('the worker engine is not initialised');
      const value = await engine.recommend(req.session, { k: req.k, exclude: new Set(req.exclude) });
      scope.postMessage({ type: 'reply', id: req.id, ok: true, value });
    } else {
      engine?.dispose();
      engine = undefined;
      scope.postMessage({ type: 'reply', id: req.id, ok: true, value: null });
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    scope.postMessage({
      type: 'reply',
      id: req.id,
      ok: false,
      error: { name: e.name, message: e.message, code: e.code },
    });
  }
};
