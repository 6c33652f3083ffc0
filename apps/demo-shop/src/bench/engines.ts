// The three engines the benchmark compares, created the same way for every bundle, and the start-up
// timing through the SDK's own load path (storage, verification) with each engine plugged in.
import { createRecommender, deleteStoredModel } from '@session-rec/sdk';
import type { ModelBundle } from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import type { Engine } from '@session-rec/sdk/engine/types';
import type { EngineName } from './types.ts';

type EngineFactories = NonNullable<NonNullable<Parameters<typeof createRecommender>[1]>['engines']>;

type EngineFactory = (bundle: ModelBundle) => Promise<Engine>;

async function gpuEngine(name: 'webgpu' | 'tfjs-webgpu', bundle: ModelBundle): Promise<Engine> {
  const webgpu: Record<string, unknown> = await import('@session-rec/sdk/engine/webgpu');
  const factory = (name === 'webgpu' ? webgpu.createWebGpuEngine : webgpu.createTfjsWebGpuEngine) as
    EngineFactory | undefined;
  if (!factory) throw new Error(`the ${name} engine is not in this SDK build yet`);
  return factory(bundle);
}

export async function createEngine(name: EngineName, bundle: ModelBundle): Promise<Engine> {
  return name === 'cpu' ? createCpuEngine(bundle) : gpuEngine(name, bundle);
}

/** The SDK's engine factories with `webgpu` replaced by the engine under test (tfjs-webgpu included). */
function factoriesFor(name: EngineName): EngineFactories {
  return {
    cpu: createCpuEngine,
    webgpu: (bundle) => createEngine(name, bundle),
    hasWebGpu: () => name === 'cpu' || !!navigator.gpu,
  };
}

/**
 * Cold start: nothing stored → createRecommender (download, verify every hash, store in IndexedDB, start the
 * engine) → first recommendation for `firstSession` (a real one, not the empty session's popularity list, so
 * that shader compilation and the first scoring pass count). Warm start: the same with the model in IndexedDB.
 */
export async function timeStart(
  url: string,
  engine: EngineName,
  k: number,
  firstSession: readonly string[],
): Promise<{ coldStartMs: number; warmStartMs: number }> {
  const once = async () => {
    const started = performance.now();
    const rec = await createRecommender(
      { model: url, backend: engine === 'cpu' ? 'cpu' : 'webgpu' },
      { engines: factoriesFor(engine) },
    );
    // Without real sessions, a one-click session on the most popular item (the empty session's answer).
    const clicks = firstSession.length > 0 ? firstSession : [(await rec.recommend({ k: 1 }))[0].itemId];
    for (const id of clicks) rec.track(id);
    await rec.recommend({ k });
    const elapsed = performance.now() - started;
    rec.reset();
    const source = rec.model.source;
    rec.dispose();
    return { elapsed, source };
  };
  await deleteStoredModel(url);
  const cold = await once();
  const warm = await once();
  if (cold.source !== 'network' || warm.source !== 'storage') {
    throw new Error(`start-up measured the wrong path: cold from ${cold.source}, warm from ${warm.source}`);
  }
  return { coldStartMs: cold.elapsed, warmStartMs: warm.elapsed };
}
