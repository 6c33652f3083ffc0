// backend: 'auto' in the recommender: the CPU engine answers from load, WebGPU starts in the background,
// is measured against the CPU engine (virtual clock) and swapped in only when faster; the result is cached.
import { describe, expect, it } from 'vitest';
import { decodeBundleFromFiles } from '../bundle/index.ts';
import type { ModelBundle } from '../bundle/types.ts';
import { createCpuEngine } from '../engine/cpu/index.ts';
import {
  CALIBRATION_SAMPLES,
  type AdapterDescription,
  type ChoiceStorage,
  type EngineChoice,
} from '../engine/engine-choice.ts';
import type { Engine } from '../engine/types.ts';
import type { RecommenderWarning } from '../events.ts';
import { memoryModelStore } from '../storage/model-store.ts';
import { bundleServer, TEST_MODEL_URL } from '../testing/bundle-server.ts';
import { randomBundleFiles, skuOf } from '../testing/random-bundle.ts';
import type { EngineFactories, WebGpuEngineOptions } from './engines.ts';
import { createRecommender, type RecommenderOptions } from './recommender.ts';

const NUM_ITEMS = 90;
const CALIBRATION_CALLS = CALIBRATION_SAMPLES + 1;

const HARDWARE: AdapterDescription = {
  vendor: 'nvidia',
  architecture: 'hopper',
  device: '0x2335',
  description: 'NVIDIA H200',
  isFallbackAdapter: false,
};

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function mapStorage(): ChoiceStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

interface FakeOptions {
  cpuMs?: number;
  gpuMs?: number;
  adapter?: AdapterDescription | null | Error;
  /** webgpu() waits for this before returning its engine. */
  gpuStart?: Promise<void>;
  gpuStartError?: Error;
}

/** Engines that score with the CPU reference and advance a virtual clock by a fixed cost per call. */
function fakeEngines(opts: FakeOptions = {}) {
  const clock = { t: 0 };
  const log = {
    cpuCreated: 0,
    cpuDisposed: 0,
    gpuCreated: 0,
    gpuDisposed: 0,
    /** Every recommend() an engine answered, in order. */
    calls: [] as ('cpu' | 'webgpu')[],
    lose: undefined as undefined | ((info: unknown) => void),
  };
  const wrap = (name: 'cpu' | 'webgpu', bundle: ModelBundle, ms: number, onDispose: () => void) => {
    const reference = createCpuEngine(bundle);
    let lost = false;
    let disposed = false;
    const engine: Engine = {
      name,
      bundle,
      async recommend(session, options) {
        if (disposed) throw new Error(`${name} engine used after dispose`);
        if (lost) throw Object.assign(new Error('device lost'), { code: 'device-lost' });
        log.calls.push(name);
        clock.t += ms;
        return reference.recommend(session, options);
      },
      dispose() {
        disposed = true;
        onDispose();
      },
    };
    return { engine, markLost: () => (lost = true) };
  };
  const factories: EngineFactories = {
    cpu(bundle) {
      log.cpuCreated++;
      return wrap('cpu', bundle, opts.cpuMs ?? 2, () => log.cpuDisposed++).engine;
    },
    hasWebGpu: () => true,
    async adapter() {
      const a = opts.adapter === undefined ? HARDWARE : opts.adapter;
      if (a instanceof Error) throw a;
      return a;
    },
    async webgpu(bundle: ModelBundle, options: WebGpuEngineOptions) {
      log.gpuCreated++;
      await opts.gpuStart;
      if (opts.gpuStartError) throw opts.gpuStartError;
      const made = wrap('webgpu', bundle, opts.gpuMs ?? 1, () => log.gpuDisposed++);
      log.lose = (info) => {
        made.markLost();
        options.onDeviceLost(info);
      };
      return made.engine;
    },
  };
  return { factories, clock, log };
}

async function serve(numItems = NUM_ITEMS, seed = 5) {
  const files = await randomBundleFiles('compositional', { numItems, dim: 8, seed, vocabulary: 'list' });
  return bundleServer(files);
}

async function open(
  fake: ReturnType<typeof fakeEngines>,
  storage: ChoiceStorage | null = mapStorage(),
  extra: Partial<RecommenderOptions> = {},
  server?: Awaited<ReturnType<typeof serve>>,
) {
  const warnings: RecommenderWarning[] = [];
  const rec = await createRecommender(
    {
      model: TEST_MODEL_URL,
      fetch: (server ?? (await serve())).fetch,
      backend: 'auto',
      storage: 'memory',
      onWarning: (w) => warnings.push(w),
      ...extra,
    },
    {
      engines: fake.factories,
      memoryStore: memoryModelStore(),
      sessionPersistence: null,
      choiceStorage: storage,
      clock: () => fake.clock.t,
    },
  );
  const choices: EngineChoice[] = [];
  rec.on('engine-choice', (c) => choices.push(c));
  return { rec, warnings, choices };
}

/** The CPU reference's top-k ids for the bundle `serve()` hands out. */
async function referenceIds(session: number[], k = 5) {
  const files = await randomBundleFiles('compositional', {
    numItems: NUM_ITEMS,
    dim: 8,
    seed: 5,
    vocabulary: 'list',
  });
  const reference = createCpuEngine(await decodeBundleFromFiles(files));
  return (await reference.recommend(session, { k })).map((r) => skuOf(r.index));
}

describe("backend: 'auto'", () => {
  it('a software adapter runs the CPU engine without ever starting WebGPU', async () => {
    const fake = fakeEngines({ adapter: { ...HARDWARE, isFallbackAdapter: true } });
    const { rec, choices, warnings } = await open(fake);
    expect(rec.engineChoice).toEqual({ engine: 'cpu', reason: 'pending' });
    const choice = await rec.engineChosen;
    expect(choice).toEqual({
      engine: 'cpu',
      reason: 'fallback-adapter',
      adapter: { ...HARDWARE, isFallbackAdapter: true },
    });
    expect(rec.engine).toBe('cpu');
    expect(choices).toEqual([choice]);
    expect(fake.log.gpuCreated).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('the first recommend is answered by the CPU engine while WebGPU is still starting', async () => {
    const start = deferred();
    const fake = fakeEngines({ gpuStart: start.promise, cpuMs: 5, gpuMs: 1 });
    const { rec } = await open(fake);
    rec.track(skuOf(3));
    rec.track(skuOf(7));
    await new Promise((r) => setTimeout(r, 10)); // the background start has begun and is waiting
    expect(fake.log.gpuCreated).toBe(1);
    const first = await rec.recommend({ k: 5 });
    expect(first.map((r) => r.itemId)).toEqual(await referenceIds([3, 7]));
    expect(fake.log.calls).toEqual(['cpu']);
    expect(rec.engine).toBe('cpu');
    expect(rec.engineChoice.reason).toBe('pending');

    start.resolve();
    const choice = await rec.engineChosen;
    expect(choice).toEqual({
      engine: 'webgpu',
      reason: 'calibrated',
      adapter: HARDWARE,
      timings: { cpuMs: 5, webgpuMs: 1, samples: CALIBRATION_SAMPLES },
    });
    expect(rec.engine).toBe('webgpu');
    expect(fake.log.cpuDisposed).toBe(1);
    const before = fake.log.calls.length;
    expect((await rec.recommend({ k: 5 })).map((r) => r.itemId)).toEqual(first.map((r) => r.itemId));
    expect(fake.log.calls.slice(before)).toEqual(['webgpu']);
  });

  it('a slower WebGPU engine is measured, then disposed; the CPU engine stays', async () => {
    const fake = fakeEngines({ cpuMs: 1.5, gpuMs: 23 });
    const { rec } = await open(fake);
    const choice = await rec.engineChosen;
    expect(choice).toMatchObject({ engine: 'cpu', reason: 'calibrated' });
    expect(choice.timings).toEqual({ cpuMs: 1.5, webgpuMs: 23, samples: CALIBRATION_SAMPLES });
    expect(fake.log.gpuDisposed).toBe(1);
    expect(fake.log.cpuDisposed).toBe(0);
    expect(fake.log.calls.filter((c) => c === 'webgpu')).toHaveLength(CALIBRATION_CALLS);
    await rec.recommend({ k: 3 });
    expect(fake.log.calls.at(-1)).toBe('cpu');
  });

  it('the median ignores a slow outlier', async () => {
    const fake = fakeEngines({ cpuMs: 4, gpuMs: 1 });
    // One GPU call (after the warm-up) costs 100 ms: the median still says WebGPU.
    const webgpu = fake.factories.webgpu;
    fake.factories.webgpu = async (bundle, options) => {
      const engine = await webgpu(bundle, options);
      let n = 0;
      return {
        ...engine,
        name: engine.name,
        async recommend(session, o) {
          if (++n === 3) fake.clock.t += 99;
          return engine.recommend(session, o);
        },
      };
    };
    const { rec } = await open(fake);
    expect(await rec.engineChosen).toMatchObject({
      engine: 'webgpu',
      timings: { cpuMs: 4, webgpuMs: 1 },
    });
  });

  it('a cached choice skips the measurement on the next load; another adapter or model shape measures again', async () => {
    const storage = mapStorage();
    const first = fakeEngines({ cpuMs: 1, gpuMs: 9 });
    await (
      await open(first, storage)
    ).rec.engineChosen;
    expect(storage.data.size).toBe(1);

    // Same adapter, same model: CPU from the cache, WebGPU never started.
    const second = fakeEngines({ cpuMs: 1, gpuMs: 9 });
    const again = await open(second, storage);
    expect(await again.rec.engineChosen).toEqual({
      engine: 'cpu',
      reason: 'cached',
      adapter: HARDWARE,
      timings: { cpuMs: 1, webgpuMs: 9, samples: CALIBRATION_SAMPLES },
    });
    expect(second.log.gpuCreated).toBe(0);

    // Another adapter: a miss.
    const other = fakeEngines({ cpuMs: 1, gpuMs: 9, adapter: { ...HARDWARE, device: '0x2684' } });
    expect((await (await open(other, storage)).rec.engineChosen).reason).toBe('calibrated');
    // Another model shape (numItems): a miss.
    const bigger = fakeEngines({ cpuMs: 1, gpuMs: 9 });
    const opened = await open(bigger, storage, {}, await serve(NUM_ITEMS + 10));
    expect((await opened.rec.engineChosen).reason).toBe('calibrated');
    expect(storage.data.size).toBe(3);
  });

  it('a cached WebGPU choice starts WebGPU and swaps it in without measuring', async () => {
    const storage = mapStorage();
    await (
      await open(fakeEngines({ cpuMs: 6, gpuMs: 2 }), storage)
    ).rec.engineChosen;
    const fake = fakeEngines({ cpuMs: 6, gpuMs: 2 });
    const { rec } = await open(fake, storage);
    expect(rec.engine).toBe('cpu');
    expect(await rec.engineChosen).toMatchObject({ engine: 'webgpu', reason: 'cached' });
    expect(rec.engine).toBe('webgpu');
    expect(fake.log.calls).toEqual([]);
  });

  it('unreadable, malformed or throwing storage only means measuring again', async () => {
    const corrupt = mapStorage();
    await (
      await open(fakeEngines({ cpuMs: 1, gpuMs: 9 }), corrupt)
    ).rec.engineChosen;
    const [key] = corrupt.data.keys();
    corrupt.data.set(key, '{"engine":"webgpu"'); // truncated JSON
    expect((await (await open(fakeEngines(), corrupt)).rec.engineChosen).reason).toBe('calibrated');

    const throwing: ChoiceStorage = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    const fake = fakeEngines({ cpuMs: 3, gpuMs: 1 });
    const { rec, warnings } = await open(fake, throwing);
    expect(await rec.engineChosen).toMatchObject({ engine: 'webgpu', reason: 'calibrated' });
    expect(warnings).toEqual([]);
    // No storage at all works the same.
    expect((await (await open(fakeEngines(), null)).rec.engineChosen).reason).toBe('calibrated');
  });

  it('a WebGPU engine that fails to start leaves the CPU engine answering, with a warning', async () => {
    const fake = fakeEngines({ gpuStartError: new Error('requestDevice failed') });
    const { rec, warnings, choices } = await open(fake);
    expect(await rec.engineChosen).toEqual({ engine: 'cpu', reason: 'webgpu-failed', adapter: HARDWARE });
    expect(choices.map((c) => c.reason)).toEqual(['webgpu-failed']);
    expect(warnings).toEqual([expect.objectContaining({ code: 'webgpu-unavailable' })]);
    expect(warnings[0].message).toMatch(/requestDevice failed/);
    expect(await rec.recommend({ k: 2 })).toHaveLength(2);
    expect(rec.engine).toBe('cpu');
  });

  it('no adapter, or an adapter request that throws, keeps the CPU engine', async () => {
    const none = await open(fakeEngines({ adapter: null }));
    expect(await none.rec.engineChosen).toEqual({ engine: 'cpu', reason: 'no-webgpu' });
    expect(none.warnings.map((w) => w.code)).toEqual(['webgpu-unavailable']);
    const broken = await open(fakeEngines({ adapter: new Error('adapter crashed') }));
    expect(await broken.rec.engineChosen).toEqual({ engine: 'cpu', reason: 'webgpu-failed' });
  });

  it('a device lost during the measurement keeps the CPU engine and disposes the GPU engine', async () => {
    const fake = fakeEngines({ cpuMs: 5, gpuMs: 1 });
    const webgpu = fake.factories.webgpu;
    fake.factories.webgpu = async (bundle, options) => {
      const engine = await webgpu(bundle, options);
      let n = 0;
      return {
        ...engine,
        name: engine.name,
        recommend(session, o) {
          if (++n === 2) fake.log.lose!({ reason: 'unknown', message: 'GPU hung' });
          return engine.recommend(session, o);
        },
      };
    };
    const { rec, warnings } = await open(fake);
    expect(await rec.engineChosen).toMatchObject({ engine: 'cpu', reason: 'webgpu-failed' });
    expect(rec.engine).toBe('cpu');
    expect(fake.log.gpuDisposed).toBe(1);
    expect(warnings.map((w) => w.code)).toEqual(['webgpu-unavailable']);
    expect(await rec.recommend({ k: 2 })).toHaveLength(2);
  });

  it('a device lost after the swap switches back to CPU: engine-choice says device-lost', async () => {
    const fake = fakeEngines({ cpuMs: 5, gpuMs: 1 });
    const { rec, choices, warnings } = await open(fake);
    await rec.engineChosen;
    rec.track(skuOf(11));
    const before = await rec.recommend({ k: 4 });
    fake.log.lose!({ reason: 'unknown', message: 'driver reset' });
    expect(rec.engine).toBe('cpu');
    expect(rec.engineChoice).toEqual({ engine: 'cpu', reason: 'device-lost', adapter: HARDWARE });
    expect(choices.map((c) => c.reason)).toEqual(['calibrated', 'device-lost']);
    expect(warnings.map((w) => w.code)).toEqual(['device-lost']);
    expect(fake.log.gpuDisposed).toBe(1);
    expect(await rec.recommend({ k: 4 })).toEqual(before);
    expect(fake.log.calls.at(-1)).toBe('cpu');
  });

  it('no recommendation is lost or answered twice across the swap', async () => {
    const start = deferred();
    const fake = fakeEngines({ gpuStart: start.promise, cpuMs: 5, gpuMs: 1 });
    const { rec } = await open(fake);
    rec.track(skuOf(20));
    rec.track(skuOf(21));
    const want = await referenceIds([20, 21]);
    const pending: Promise<string[]>[] = [];
    const ask = () => pending.push(rec.recommend({ k: 5 }).then((r) => r.map((x) => x.itemId)));
    ask();
    start.resolve();
    // Keep asking while the engine is measured and swapped.
    for (let i = 0; i < 30 && rec.engineChoice.reason === 'pending'; i++) {
      ask();
      await new Promise((r) => setTimeout(r, 0));
    }
    await rec.engineChosen;
    ask();
    const answers = await Promise.all(pending);
    expect(answers.every((a) => JSON.stringify(a) === JSON.stringify(want))).toBe(true);
    // Every call was answered exactly once: user calls + two engines × the calibration calls.
    expect(fake.log.calls).toHaveLength(pending.length + 2 * CALIBRATION_CALLS);
    expect(fake.log.calls.at(-1)).toBe('webgpu');
    expect(rec.engine).toBe('webgpu');
  });

  it('dispose() while WebGPU starts disposes the GPU engine when it arrives', async () => {
    const start = deferred();
    const fake = fakeEngines({ gpuStart: start.promise });
    const { rec } = await open(fake);
    await new Promise((r) => setTimeout(r, 10));
    rec.dispose();
    expect(await rec.engineChosen).toEqual({ engine: 'cpu', reason: 'pending' });
    start.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(fake.log.gpuDisposed).toBe(1);
    expect(fake.log.calls).toEqual([]);
  });
});

describe('the WebGPU chunk is fetched while the model loads (no request after load)', () => {
  it.each([
    ['a hardware adapter', HARDWARE, 1],
    ['a software adapter', { ...HARDWARE, isFallbackAdapter: true }, 0],
    ['no adapter', null, 0],
  ] as const)('%s: preloaded %d times before createRecommender resolves', async (_, adapter, want) => {
    const fake = fakeEngines({ adapter });
    let preloaded = 0;
    fake.factories.preload = async () => {
      await new Promise((r) => setTimeout(r, 5));
      preloaded++;
    };
    const { rec } = await open(fake);
    expect(preloaded).toBe(want);
    await rec.engineChosen;
    expect(preloaded).toBe(want);
  });

  it('a failed preload is reported when the engine starts, and the CPU engine stays', async () => {
    const fake = fakeEngines({ gpuStartError: new Error('chunk 404') });
    fake.factories.preload = async () => {
      throw new Error('chunk 404');
    };
    const { rec, warnings } = await open(fake);
    expect(await rec.engineChosen).toMatchObject({ engine: 'cpu', reason: 'webgpu-failed' });
    expect(warnings[0].message).toMatch(/chunk 404/);
  });
});

describe('forced backends', () => {
  it("backend 'cpu' never asks for an adapter or a GPU", async () => {
    const fake = fakeEngines();
    let asked = 0;
    fake.factories.adapter = async () => (asked++, HARDWARE);
    const { rec } = await open(fake, mapStorage(), { backend: 'cpu' });
    expect(rec.engineChoice).toEqual({ engine: 'cpu', reason: 'forced' });
    expect(await rec.engineChosen).toEqual({ engine: 'cpu', reason: 'forced' });
    await new Promise((r) => setTimeout(r, 10));
    expect(asked + fake.log.gpuCreated).toBe(0);
  });

  it("backend 'webgpu' runs WebGPU from the start, even on a software adapter, without measuring", async () => {
    const fake = fakeEngines({ adapter: { ...HARDWARE, isFallbackAdapter: true }, cpuMs: 1, gpuMs: 50 });
    const { rec } = await open(fake, mapStorage(), { backend: 'webgpu' });
    expect(rec.engine).toBe('webgpu');
    expect(rec.engineChoice).toEqual({ engine: 'webgpu', reason: 'forced' });
    await rec.recommend({ k: 1 });
    expect(fake.log.calls).toEqual(['webgpu']);
    expect(fake.log.cpuCreated).toBe(0);
  });

  it("a popularity model under 'auto' is CPU-only: no adapter request", async () => {
    const files = await randomBundleFiles('popularity', { numItems: 40, dim: 8, seed: 1 });
    const fake = fakeEngines();
    const rec = await createRecommender(
      { model: TEST_MODEL_URL, fetch: bundleServer(files).fetch, backend: 'auto', storage: 'memory' },
      {
        engines: fake.factories,
        memoryStore: memoryModelStore(),
        sessionPersistence: null,
        choiceStorage: null,
      },
    );
    expect(await rec.engineChosen).toEqual({ engine: 'cpu', reason: 'cpu-only-model' });
    expect(fake.log.gpuCreated).toBe(0);
  });
});
