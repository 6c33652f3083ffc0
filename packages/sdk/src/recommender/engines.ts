// Which engine runs a model. The CPU engine is bundled (it is the fallback after a device loss, and a lazy
// chunk fetched then would be a network request after load — SPEC §5 privacy); the WebGPU engine is a lazy
// import() so that shops without WebGPU never download it, and tfjs never enters the entry.
import type { ModelBundle } from '../bundle/types.ts';
import { createCpuEngine } from '../engine/cpu/index.ts';
import type { Engine } from '../engine/types.ts';
import { BackendUnavailableError, messageOf } from '../errors.ts';
import type { RecommenderWarning } from '../events.ts';

export type Backend = 'auto' | 'webgpu' | 'cpu';

export interface WebGpuEngineOptions {
  /** Called once when the GPU device is lost; the engine rejects every later call. */
  onDeviceLost: (info: unknown) => void;
}

/** How engines are made; tests replace these to simulate a GPU, its absence, or its loss. */
export interface EngineFactories {
  cpu(bundle: ModelBundle): Engine;
  webgpu(bundle: ModelBundle, options: WebGpuEngineOptions): Promise<Engine>;
  /** Cheap check before fetching the WebGPU chunk: does this browser expose WebGPU at all? */
  hasWebGpu(): boolean;
}

export const defaultEngineFactories: EngineFactories = {
  cpu: createCpuEngine,
  async webgpu(bundle, options) {
    // A separate chunk, fetched only when WebGPU is about to be used.
    const { createWebGpuEngine } = await import('../engine/webgpu/index.ts');
    return createWebGpuEngine(bundle, options);
  },
  hasWebGpu: () => typeof navigator !== 'undefined' && 'gpu' in navigator && !!navigator.gpu,
};

/** Models without an encoder: nothing for a GPU to speed up. */
const cpuOnlyKinds = new Set(['popularity']);

export async function startEngine(
  backend: Backend,
  bundle: ModelBundle,
  factories: EngineFactories,
  gpu: WebGpuEngineOptions,
  warn: (warning: RecommenderWarning) => void,
): Promise<Engine> {
  if (backend === 'cpu') return factories.cpu(bundle);
  if (backend === 'webgpu') {
    if (!factories.hasWebGpu()) {
      throw new BackendUnavailableError(
        'webgpu',
        "backend 'webgpu': this browser does not expose WebGPU (navigator.gpu)",
      );
    }
    try {
      return await factories.webgpu(bundle, gpu);
    } catch (cause) {
      if (cause instanceof BackendUnavailableError) throw cause;
      throw new BackendUnavailableError('webgpu', `backend 'webgpu' failed to start: ${messageOf(cause)}`, {
        cause,
      });
    }
  }
  if (cpuOnlyKinds.has(bundle.manifest.kind)) return factories.cpu(bundle);
  if (!factories.hasWebGpu()) {
    warn({
      code: 'webgpu-unavailable',
      message: 'WebGPU is not available in this browser; using the CPU engine',
    });
    return factories.cpu(bundle);
  }
  try {
    return await factories.webgpu(bundle, gpu);
  } catch (cause) {
    warn({
      code: 'webgpu-unavailable',
      message: `the WebGPU engine could not start (${messageOf(cause)}); using the CPU engine`,
      cause,
    });
    return factories.cpu(bundle);
  }
}
