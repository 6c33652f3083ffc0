// tfjs backend for training in Node: tfjs-node (native TensorFlow) when it is installed, else the
// wasm backend (SIMD; ~20 GFLOP/s for A·B here, 30× the pure-JS cpu backend). `webgpu` (a GPU through
// Dawn, see webgpu-node.ts) only when asked for.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs'; // registers every op's gradient (tfjs-core alone has none) and the cpu backend
import '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';

/**
 * Reads tensors to the CPU asynchronously so that later `dataSync()` calls hit tfjs's CPU copy:
 * the webgpu backend cannot read synchronously in Node. Cheap on the CPU backends.
 */
export async function prefetchToCpu(tensors: readonly tf.Tensor[]): Promise<void> {
  await Promise.all(tensors.map((t) => t.data()));
}

export async function selectBackend(preferred?: BackendName): Promise<BackendName> {
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
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend "${name}" failed to initialise`);
  await tf.ready();
  return name;
}
