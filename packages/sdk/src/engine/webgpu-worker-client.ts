// The WebGPU engine in a Web Worker, behind the same Engine interface: recommend() posts the session and
// awaits k results, so the page's main thread never blocks on GPU work or readback. The bundle's manifest
// and tensors are copied to the worker once (structured clone); external ids stay here.
import type { Manifest, ModelBundle } from '../bundle/types.ts';
import { validateK } from './topk.ts';
import type { Engine, ScoredItem } from './types.ts';
import { WebGpuDeviceLostError, WebGpuEngineDisposedError, WebGpuEngineError } from './webgpu/errors.ts';

export type WorkerRequest =
  | { type: 'init'; id: number; manifest: Manifest; tensors: ModelBundle['tensors'] }
  | { type: 'recommend'; id: number; session: number[]; k: number; exclude: number[] }
  | { type: 'dispose'; id: number };

export type WorkerReply =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: { name: string; message: string; code?: string } }
  | { type: 'lost'; info: { reason: string; message: string } };

/** A request before the client numbers it (Omit distributed over the union). */
type RequestBody = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export interface WebGpuWorkerEngineOptions {
  onDeviceLost?: (info: { reason: string; message: string }) => void;
  /** A worker running webgpu-worker.ts; by default one is started (Vite and other bundlers resolve the URL). */
  worker?: Worker;
}

export interface WebGpuWorkerEngine extends Engine {
  readonly name: 'webgpu';
  readonly gpuBytes: number;
}

/** Starts the engine in a worker; rejects like createWebGpuEngine (the worker's typed error is rebuilt here). */
export async function createWebGpuWorkerEngine(
  bundle: ModelBundle,
  opts: WebGpuWorkerEngineOptions = {},
): Promise<WebGpuWorkerEngine> {
  const worker =
    opts.worker ?? new Worker(new URL('./webgpu-worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let lost: { reason: string; message: string } | undefined;
  let disposed = false;
  worker.onmessage = (event: MessageEvent<WorkerReply>) => {
    const msg = event.data;
    if (msg.type === 'lost') {
      lost = msg.info;
      if (!disposed) opts.onDeviceLost?.(msg.info);
      return;
    }
    const p = pending.get(msg.id);
    if (p === undefined) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(rebuildError(msg.error));
  };
  // A worker that fails to load or throws outside a request would otherwise leave every call pending.
  worker.onerror = (event: ErrorEvent) => {
    const err = new WebGpuEngineError(
      'kernel',
      `the WebGPU worker failed: ${event.message || 'could not start'}`,
    );
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const call = (req: RequestBody): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id } as WorkerRequest);
    });

  let gpuBytes: number;
  try {
    ({ gpuBytes } = (await call({ type: 'init', manifest: bundle.manifest, tensors: bundle.tensors })) as {
      gpuBytes: number;
    });
  } catch (err) {
    worker.terminate();
    throw err;
  }
  return {
    name: 'webgpu',
    bundle,
    gpuBytes,
    async recommend(session, options) {
      if (disposed) throw new WebGpuEngineDisposedError();
      if (lost !== undefined) throw new WebGpuDeviceLostError(lost.reason, lost.message);
      if (options === null || typeof options !== 'object')
        throw new TypeError('options must be an object { k, exclude? }');
      validateK(options.k);
      return (await call({
        type: 'recommend',
        session: [...session],
        k: options.k,
        exclude: [...(options.exclude ?? [])],
      })) as ScoredItem[];
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void call({ type: 'dispose' }).finally(() => worker.terminate());
    },
  };
}

/** The worker's error as the same class when it is one of ours (so callers can branch on it), else an Error. */
function rebuildError(e: { name: string; message: string; code?: string }): Error {
  if (e.name === 'RangeError') return new RangeError(e.message);
  if (e.name === 'TypeError') return new TypeError(e.message);
  if (e.code !== undefined) {
    const err = new WebGpuEngineError(e.code as WebGpuEngineError['code'], e.message);
    err.name = e.name;
    return err;
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
