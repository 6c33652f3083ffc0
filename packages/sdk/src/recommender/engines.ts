// Which engine runs a model. The CPU engine is bundled (it is the fallback after a device loss, and a lazy
// chunk fetched then would be a network request after load — SPEC §5 privacy); the WebGPU engine is a lazy
// import() so that shops without WebGPU never download it, and tfjs never enters the entry.
import type { ModelBundle } from '../bundle/types.ts';
import { createCpuEngine } from '../engine/cpu/index.ts';
import {
  CALIBRATION_SAMPLES,
  calibrationSession,
  choiceKey,
  fasterEngine,
  isSoftwareAdapter,
  median,
  readCachedChoice,
  requestAdapterDescription,
  writeCachedChoice,
  type AdapterDescription,
  type CalibrationTimings,
  type ChoiceStorage,
  type EngineChoice,
} from '../engine/engine-choice.ts';
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
  /** The adapter the WebGPU engine would run on (no device is created), or null when there is none.
   *  Without it, `backend: 'auto'` measures both engines on every load (no cache key). */
  adapter?(): Promise<AdapterDescription | null>;
  /** Fetches the WebGPU engine's code without starting it (while the model loads: no request after load). */
  preload?(): Promise<void>;
}

export const defaultEngineFactories: EngineFactories = {
  cpu: createCpuEngine,
  async webgpu(bundle, options) {
    // A separate chunk, fetched only when WebGPU is about to be used.
    const { createWebGpuEngine } = await import('../engine/webgpu/index.ts');
    return createWebGpuEngine(bundle, options);
  },
  hasWebGpu: () => typeof navigator !== 'undefined' && 'gpu' in navigator && !!navigator.gpu,
  adapter: () => requestAdapterDescription(),
  async preload() {
    await import('../engine/webgpu/index.ts');
  },
};

/** Models without an encoder: nothing for a GPU to speed up. */
const cpuOnlyKinds = new Set(['popularity']);

export interface StartedEngine {
  engine: Engine;
  choice: EngineChoice;
  /** 'auto' with WebGPU present: the CPU engine answers now, `chooseEngineInBackground` decides later. */
  pending: boolean;
}

/** The engine that answers the first recommendation. Only a forced 'webgpu' waits for the GPU. */
export async function startEngine(
  backend: Backend,
  bundle: ModelBundle,
  factories: EngineFactories,
  gpu: WebGpuEngineOptions,
  warn: (warning: RecommenderWarning) => void,
): Promise<StartedEngine> {
  const cpu = (reason: EngineChoice['reason'], pending = false): StartedEngine => ({
    engine: factories.cpu(bundle),
    choice: { engine: 'cpu', reason },
    pending,
  });
  if (backend === 'cpu') return cpu('forced');
  if (backend === 'webgpu') {
    if (!factories.hasWebGpu()) {
      throw new BackendUnavailableError(
        'webgpu',
        "backend 'webgpu': this browser does not expose WebGPU (navigator.gpu)",
      );
    }
    try {
      const engine = await factories.webgpu(bundle, gpu);
      return { engine, choice: { engine: engine.name, reason: 'forced' }, pending: false };
    } catch (cause) {
      if (cause instanceof BackendUnavailableError) throw cause;
      throw new BackendUnavailableError('webgpu', `backend 'webgpu' failed to start: ${messageOf(cause)}`, {
        cause,
      });
    }
  }
  if (cpuOnlyKinds.has(bundle.manifest.kind)) return cpu('cpu-only-model');
  if (!factories.hasWebGpu()) {
    warn({
      code: 'webgpu-unavailable',
      message: 'WebGPU is not available in this browser; using the CPU engine',
    });
    return cpu('no-webgpu');
  }
  return cpu('pending', true);
}

/** What 'auto' learnt about the adapter while the model loaded. `adapter` undefined: the factories cannot
 *  tell (no `adapter()`), so the engines are measured. */
export interface AdapterProbe {
  adapter?: AdapterDescription | null;
  error?: unknown;
}

/**
 * Run alongside the model download: asks for the adapter and, unless it is a software one, fetches the
 * WebGPU chunk so that starting the engine after load makes no network request (SPEC §5 privacy).
 */
export async function probeAdapter(factories: EngineFactories): Promise<AdapterProbe> {
  let probe: AdapterProbe = {};
  if (factories.adapter) {
    try {
      probe = { adapter: await factories.adapter() };
    } catch (error) {
      return { error };
    }
  }
  if (probe.adapter !== null && !isSoftwareAdapter(probe.adapter ?? undefined)) {
    // A failed fetch shows again, with its cause, when the engine is started.
    await factories.preload?.().catch(() => undefined);
  }
  return probe;
}

/** What the background choice needs from the recommender. */
export interface EngineHost {
  readonly bundle: ModelBundle;
  readonly factories: EngineFactories;
  /** The CPU engine answering while the choice is pending. */
  readonly cpu: Engine;
  readonly storage: ChoiceStorage | null;
  /** High-resolution clock in ms (performance.now). */
  readonly clock: () => number;
  warn(warning: RecommenderWarning): void;
  disposed(): boolean;
  /** Runs `fn` between two recommend() calls (the recommender's queue), never during one. */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T>;
  /** Called inside `exclusive`: the engine that answers from the next recommend() on. */
  swap(engine: Engine, choice: EngineChoice): void;
  /** The choice is final with the CPU engine kept. */
  settle(choice: EngineChoice): void;
  /** The GPU engine reported its device lost (it may or may not be the one answering). */
  deviceLost(engine: Engine, info: unknown): void;
}

/**
 * `backend: 'auto'` with WebGPU present: software adapter → CPU; cached choice → that engine; else start
 * the WebGPU engine, time both engines, keep the faster and remember it. Never throws: every failure
 * leaves the CPU engine answering.
 */
export async function chooseEngineInBackground(host: EngineHost, probe: AdapterProbe): Promise<void> {
  const { bundle, factories } = host;
  const failed = (cause: unknown, adapter: AdapterDescription | undefined, what: string) => {
    host.warn({
      code: 'webgpu-unavailable',
      message: `the WebGPU engine ${what} (${messageOf(cause)}); using the CPU engine`,
      cause,
    });
    host.settle({ engine: 'cpu', reason: 'webgpu-failed', adapter });
  };

  if (probe.error !== undefined) return failed(probe.error, undefined, 'could not get an adapter');
  if (probe.adapter === null) {
    host.warn({
      code: 'webgpu-unavailable',
      message: 'WebGPU has no adapter on this machine; using the CPU engine',
    });
    return host.settle({ engine: 'cpu', reason: 'no-webgpu' });
  }
  const adapter = probe.adapter;
  if (isSoftwareAdapter(adapter)) return host.settle({ engine: 'cpu', reason: 'fallback-adapter', adapter });

  const key = adapter ? choiceKey(adapter, bundle) : null;
  const cached = key === null ? null : readCachedChoice(host.storage, key, Date.now());
  if (cached?.engine === 'cpu') {
    return host.settle({ engine: 'cpu', reason: 'cached', adapter, timings: cached.timings });
  }
  if (host.disposed()) return;

  let lost = false;
  let gpu: Engine | undefined;
  try {
    gpu = await factories.webgpu(bundle, {
      onDeviceLost: (info) => {
        lost = true;
        if (gpu) host.deviceLost(gpu, info);
      },
    });
  } catch (cause) {
    return failed(cause, adapter, 'could not start');
  }
  const engine = gpu;
  const drop = () => {
    try {
      engine.dispose();
    } catch {
      // A lost device can fail to release its buffers; they are gone with it anyway.
    }
  };
  if (host.disposed()) return drop();

  let timings: CalibrationTimings | undefined = cached?.timings;
  if (cached === null) {
    try {
      timings = await calibrate(host, engine);
    } catch (cause) {
      drop();
      return failed(cause, adapter, 'failed while being measured');
    }
    if (key !== null)
      writeCachedChoice(host.storage, key, { engine: fasterEngine(timings), timings, savedAt: Date.now() });
    if (fasterEngine(timings) === 'cpu') {
      drop();
      return host.settle({ engine: 'cpu', reason: 'calibrated', adapter, timings });
    }
  }
  const reason = cached === null ? 'calibrated' : 'cached';
  await host.exclusive(() => {
    if (host.disposed()) return drop();
    if (lost) {
      drop();
      return failed(new Error('the GPU device was lost before the switch'), adapter, 'lost its device');
    }
    host.swap(engine, { engine: engine.name, reason, adapter, timings });
  });
}

/** A warm-up call, then CALIBRATION_SAMPLES timed calls per engine, alternating; CPU calls take their turn
 *  in the recommender's queue so that a shopper's recommend() waits for at most one of them. */
async function calibrate(host: EngineHost, gpu: Engine): Promise<CalibrationTimings> {
  const cpuMs: number[] = [];
  const gpuMs: number[] = [];
  const k = Math.min(10, host.bundle.manifest.hyper.numItems);
  for (let call = 0; call <= CALIBRATION_SAMPLES; call++) {
    if (host.disposed()) throw new Error('the recommender was disposed');
    const session = calibrationSession(host.bundle, call);
    let t = host.clock();
    await gpu.recommend(session, { k });
    const g = host.clock() - t;
    const c = await host.exclusive(async () => {
      t = host.clock();
      await host.cpu.recommend(session, { k });
      return host.clock() - t;
    });
    if (call > 0) {
      gpuMs.push(g);
      cpuMs.push(c);
    }
  }
  return { cpuMs: median(cpuMs), webgpuMs: median(gpuMs), samples: CALIBRATION_SAMPLES };
}
