// The SDK's engines the benchmark compares, created the same way for every bundle, and the start-up
// timing through the SDK's own load path (storage, verification) with each engine plugged in.
import { createRecommender, deleteStoredModel } from '@session-rec/sdk';
import type { ModelBundle } from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import type { Engine } from '@session-rec/sdk/engine/types';
import type { OurEngineName } from './types.ts';

type EngineFactories = NonNullable<NonNullable<Parameters<typeof createRecommender>[1]>['engines']>;

type EngineFactory = (bundle: ModelBundle) => Promise<Engine>;

async function gpuEngine(name: 'webgpu' | 'tfjs-webgpu', bundle: ModelBundle): Promise<Engine> {
  // tfjs (the comparison engine, ./tfjs-engine.ts) is downloaded only when its row runs.
  if (name === 'tfjs-webgpu') return (await import('./tfjs-engine.ts')).createTfjsEngine(bundle);
  const webgpu: Record<string, unknown> = await import('@session-rec/sdk/engine/webgpu');
  const factory = webgpu.createWebGpuEngine as EngineFactory | undefined;
  if (!factory) throw new Error(`the ${name} engine is not in this SDK build yet`);
  return factory(bundle);
}

export async function createEngine(name: OurEngineName, bundle: ModelBundle): Promise<Engine> {
  if (name !== 'cpu') return gpuEngine(name, bundle);
  // Timed calls start once the CPU engine's scoring workers (if it starts any) are up, as they would be a
  // few hundred ms into a page's life.
  const cpu = createCpuEngine(bundle);
  await cpu.threadsReady;
  return cpu;
}

/** The SDK's engine factories with `webgpu` replaced by the engine under test (tfjs-webgpu included). */
function factoriesFor(name: OurEngineName): EngineFactories {
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
  engine: OurEngineName,
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

/**
 * What a shop gets with the default `backend: 'auto'` in this browser, once the choice is final
 * (rec.engineChosen: 'auto' may answer on the CPU while it starts and measures WebGPU in the background):
 * rec.engine and rec.engineChoice (the SDK's reason). In memory, so that no row's cold start finds it stored.
 */
export async function autoChoice(url: string): Promise<{ engine: string; engineChoice: unknown }> {
  const rec = await createRecommender({ model: url, backend: 'auto', storage: 'memory' });
  try {
    const chosen = (rec as { engineChosen?: Promise<unknown> }).engineChosen;
    if (chosen) await Promise.race([chosen, new Promise((resolve) => setTimeout(resolve, 60_000))]);
    const choice = (rec as { engineChoice?: unknown }).engineChoice;
    // Plain data only: the result crosses page.evaluate.
    return {
      engine: rec.engine,
      engineChoice: choice === undefined ? null : JSON.parse(JSON.stringify(choice)),
    };
  } finally {
    rec.dispose();
  }
}
