// tfjs backend for training in Node: tfjs-node (native TensorFlow) when it is installed, else the
// wasm backend (SIMD; ~20 GFLOP/s for A·B here, 30× the pure-JS cpu backend). `webgpu` (a GPU through
// Dawn, see webgpu-node.ts) only when asked for. On wasm, every core by default (wasm-threads.ts).
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs'; // registers every op's gradient (tfjs-core alone has none) and the cpu backend
import '@tensorflow/tfjs-backend-wasm';
import { registerThreadedWasm } from './wasm-threads.ts';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';

/**
 * Reads tensors to the CPU asynchronously so that later `dataSync()` calls hit tfjs's CPU copy:
 * the webgpu backend cannot read synchronously in Node. Cheap on the CPU backends.
 */
export async function prefetchToCpu(tensors: readonly tf.Tensor[]): Promise<void> {
  await Promise.all(tensors.map((t) => t.data()));
}

const DEFAULT_TO_EVERY_CORE = false;

/**
 * Threads for the wasm backend: SESSION_REC_THREADS (or `pnpm train --threads N`), else every core.
 * Under vitest, 1: it already runs one test file per core.
 */
export function trainingThreads(): number {
  const env = process.env.SESSION_REC_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1 || n > 8)
      throw new Error(`SESSION_REC_THREADS / --threads: expected an integer 1…8, got "${env}"`);
    return n;
  }
  // Opt-in until `pnpm bench:train --compare` has measured the threaded build here.
  return process.env.VITEST || !DEFAULT_TO_EVERY_CORE ? 1 : Math.min(8, availableParallelism());
}

export async function selectBackend(
  preferred?: BackendName,
  threads: number = trainingThreads(),
): Promise<BackendName> {
  if (preferred === 'webgpu') {
    const { installDawnNavigatorGpu } = await import('./webgpu-node.ts');
    await installDawnNavigatorGpu();
    if (!(await tf.setBackend('webgpu')))
      throw new Error('tfjs backend "webgpu" failed to initialise (no adapter?)');
    await tf.ready();
    return 'webgpu';
  }
  if (!preferred || preferred === 'tensorflow') {
    try {
      const nodeBinding = '@tensorflow/tfjs-node'; // optional; not a declared dependency
      await import(nodeBinding);
      if (await tf.setBackend('tensorflow')) return 'tensorflow';
    } catch {
      if (preferred === 'tensorflow')
        throw new Error('backend "tensorflow" requested but @tensorflow/tfjs-node is not installed');
    }
  }
  const name = preferred === 'cpu' ? 'cpu' : 'wasm';
  if (name === 'wasm' && tf.engine().registry.wasm === undefined) registerThreadedWasm(threads);
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend "${name}" failed to initialise`);
  await tf.ready();
  return name;
}
