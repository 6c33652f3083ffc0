// The measured peer: onnxruntime-web running the bundle's ONNX export (packages/trainer/src/onnx, input
// `items` int64 [L], output `scores` float32 [V]) on its wasm or webgpu execution provider. Its timed call is
// what our recommend() does: the model's scores for the session, then the top k without the session's items
// (the SDK's own top-k, so that both sides select with the same code).
// The runtime's .mjs/.wasm are this package's files served by Vite (`?url`): the page makes no external request.
import { topK } from '@session-rec/sdk/engine/cpu';
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import type { PeerEngineName } from './types.ts';

type Ort = typeof import('onnxruntime-web');

const absolute = (url: string) => new URL(url, location.href).href;

const pathsOf = (mjs: { default: string }, wasm: { default: string }) => ({
  mjs: absolute(mjs.default),
  wasm: absolute(wasm.default),
});

/**
 * The runtime build of each provider: the plain wasm build for wasm (no WebGPU glue), the WebGPU build for
 * webgpu. Dev server only (`pnpm bench` serves the ONNX exports there): in a production build this is null,
 * so the shop's build carries neither the runtime nor its 15–28 MB .wasm files.
 */
const RUNTIMES: Record<PeerEngineName, () => Promise<Ort>> | null = import.meta.env.DEV
  ? {
      'ort-wasm': async () => {
        const [ort, mjs, wasm] = await Promise.all([
          import('onnxruntime-web/wasm'),
          import('onnxruntime-web/ort-wasm-simd-threaded.mjs?url'),
          import('onnxruntime-web/ort-wasm-simd-threaded.wasm?url'),
        ]);
        ort.env.wasm.wasmPaths = pathsOf(mjs, wasm);
        return ort;
      },
      'ort-webgpu': async () => {
        const [ort, mjs, wasm] = await Promise.all([
          import('onnxruntime-web/webgpu'),
          import('onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url'),
          import('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url'),
        ]);
        ort.env.wasm.wasmPaths = pathsOf(mjs, wasm);
        return ort;
      },
    }
  : null;

async function loadRuntime(engine: PeerEngineName): Promise<Ort> {
  if (!RUNTIMES)
    throw new Error(`${engine} runs on the dev server only (pnpm bench), not in a production build`);
  return RUNTIMES[engine]();
}

/** Threads the page can give onnxruntime-web: workers need SharedArrayBuffer, i.e. cross-origin isolation. */
export function ortThreads(): number {
  return globalThis.crossOriginIsolated === true ? Math.max(1, navigator.hardwareConcurrency || 1) : 1;
}

export interface OrtPeer {
  readonly threads: number;
  /** The same contract as Engine.recommend: top k of the session (internal indices), `exclude` left out. */
  recommend(session: readonly number[], k: number, exclude: ReadonlySet<number>): Promise<unknown>;
  dispose(): Promise<void>;
}

export async function createOrtPeer(engine: PeerEngineName, onnx: Uint8Array): Promise<OrtPeer> {
  const ort = await loadRuntime(engine);
  const threads = ortThreads();
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false; // run() on this thread, as our engines' recommend() is called
  const session: InferenceSession = await ort.InferenceSession.create(onnx, {
    executionProviders: [engine === 'ort-wasm' ? 'wasm' : 'webgpu'],
    graphOptimizationLevel: 'all',
  });
  if (!session.inputNames.includes('items') || !session.outputNames.includes('scores')) {
    await session.release();
    throw new Error(
      `the ONNX model must have input 'items' and output 'scores' (has inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')})`,
    );
  }
  return {
    threads,
    async recommend(items, k, exclude) {
      const input = new ort.Tensor('int64', BigInt64Array.from(items, BigInt), [items.length]);
      const output = await session.run({ items: input });
      const scores = output.scores as Tensor;
      // On the webgpu provider the output is downloaded to the CPU by run() (default output location).
      const top = topK(scores.data as Float32Array, k, exclude);
      input.dispose();
      scores.dispose();
      return top;
    },
    dispose: () => session.release(),
  };
}
