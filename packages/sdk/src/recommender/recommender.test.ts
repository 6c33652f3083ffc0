import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { decodeBundleFromFiles } from '../bundle/index.ts';
import type { ModelBundle } from '../bundle/types.ts';
import { createCpuEngine } from '../engine/cpu/index.ts';
import type { Engine } from '../engine/types.ts';
import { BackendUnavailableError, RecommenderDisposedError } from '../errors.ts';
import type { RecommenderWarning } from '../events.ts';
import { DEFAULT_SESSION_TIMEOUT_MS, type SessionPersistence } from '../session/click-session.ts';
import { bundleServer, TEST_MODEL_URL } from '../testing/bundle-server.ts';
import { randomBundleFiles, skuOf } from '../testing/random-bundle.ts';
import { indexedDbModelStore, memoryModelStore, type ModelStore } from '../storage/model-store.ts';
import { defaultEngineFactories, type EngineFactories, type WebGpuEngineOptions } from './engines.ts';
import { createRecommender, type RecommenderDeps, type RecommenderOptions } from './recommender.ts';

const NUM_ITEMS = 120;
let dbCounter = 0;

function tabStorage(): SessionPersistence {
  const data = new Map<string, string>();
  return {
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

/** A stand-in for the WebGPU engine: scores with the CPU engine, can be made to lose its device. */
function fakeGpu() {
  const state: {
    lose?: (info: unknown) => void;
    created: number;
    disposed: number;
    failNext: false | Error;
  } = {
    created: 0,
    disposed: 0,
    failNext: false,
  };
  const factories: EngineFactories = {
    cpu: defaultEngineFactories.cpu,
    hasWebGpu: () => true,
    async webgpu(bundle: ModelBundle, options: WebGpuEngineOptions): Promise<Engine> {
      state.created++;
      const cpu = createCpuEngine(bundle);
      let lost = false;
      state.lose = (info) => {
        lost = true;
        options.onDeviceLost(info);
      };
      return {
        name: 'webgpu',
        bundle,
        async recommend(session, opts) {
          if (lost) throw new Error('device lost');
          if (state.failNext) {
            const error = state.failNext;
            state.failNext = false;
            throw error;
          }
          return cpu.recommend(session, opts);
        },
        dispose: () => void state.disposed++,
      };
    },
  };
  return { state, factories };
}

async function setup(
  extra: Partial<RecommenderOptions> = {},
  deps: Partial<RecommenderDeps> = {},
  kind: 'compositional' | 'popularity' | 'full' = 'compositional',
) {
  const files = await randomBundleFiles(kind, { numItems: NUM_ITEMS, dim: 8, seed: 11, vocabulary: 'list' });
  const bundle = await decodeBundleFromFiles(files);
  const server = bundleServer(files);
  const warnings: RecommenderWarning[] = [];
  const store = deps.store ?? indexedDbModelStore(`recommender-test-${++dbCounter}`);
  const rec = await createRecommender(
    {
      model: TEST_MODEL_URL,
      fetch: server.fetch,
      backend: 'cpu',
      onWarning: (w) => warnings.push(w),
      ...extra,
    },
    { store, sessionPersistence: tabStorage(), choiceStorage: null, ...deps },
  );
  return { rec, bundle, server, warnings, store, reference: createCpuEngine(bundle) };
}

describe('createRecommender', () => {
  it('recommends with external ids; an empty session gives the popularity order', async () => {
    const { rec, bundle } = await setup();
    expect(rec.engine).toBe('cpu');
    expect(rec.model).toMatchObject({
      url: TEST_MODEL_URL,
      numItems: NUM_ITEMS,
      kind: 'compositional',
      source: 'network',
    });
    const popular = await rec.recommend({ k: 5 });
    const order = bundle.tensors.get('popularity')!.data;
    expect(popular.map((r) => r.itemId)).toEqual([...order.slice(0, 5)].map((i) => skuOf(i)));
  });

  it('scores the session with the engine and maps indices to ids', async () => {
    const { rec, reference } = await setup();
    const clicks = [3, 17, 42, 17];
    for (const i of clicks) expect(rec.track(skuOf(i))).toBe(true);
    expect(rec.session).toEqual(clicks.map(skuOf));
    const got = await rec.recommend({ k: 10 });
    const want = await reference.recommend(clicks, { k: 10 });
    expect(got).toEqual(want.map((r) => ({ itemId: skuOf(r.index), score: r.score })));
  });

  it('excludeSeen leaves out the clicked items', async () => {
    const { rec, reference } = await setup();
    const clicks = [5, 6, 7];
    clicks.forEach((i) => rec.track(skuOf(i)));
    const all = await reference.recommend(clicks, { k: NUM_ITEMS });
    const got = await rec.recommend({ k: NUM_ITEMS, excludeSeen: true });
    expect(got).toHaveLength(NUM_ITEMS - 3);
    expect(got.map((r) => r.itemId)).toEqual(
      all.filter((r) => !clicks.includes(r.index)).map((r) => skuOf(r.index)),
    );
  });

  it('unknown ids are skipped with a warning, never thrown', async () => {
    const { rec, warnings } = await setup();
    const events: RecommenderWarning[] = [];
    const off = rec.on('warning', (w) => events.push(w));
    const viaEvent: string[] = [];
    rec.addEventListener('warning', (e) => viaEvent.push(e.warning.code));
    expect(rec.track('no-such-sku')).toBe(false);
    expect(rec.track(skuOf(1))).toBe(true);
    expect(rec.session).toEqual([skuOf(1)]);
    expect(events).toEqual([expect.objectContaining({ code: 'unknown-item', itemId: 'no-such-sku' })]);
    expect(viaEvent).toEqual(['unknown-item']);
    expect(warnings.map((w) => w.code)).toEqual(['unknown-item']);
    expect(rec.warnings.map((w) => w.code)).toEqual(['unknown-item']);
    off();
    rec.track('another-unknown');
    expect(events).toHaveLength(1);
  });

  it('numbers are accepted as ids (a range vocabulary: "1".."V")', async () => {
    const files = await randomBundleFiles('full', { numItems: 30, dim: 8, seed: 2 });
    const server = bundleServer(files);
    const rec = await createRecommender(
      { model: TEST_MODEL_URL, fetch: server.fetch, backend: 'cpu', storage: 'memory' },
      { memoryStore: memoryModelStore(), sessionPersistence: null },
    );
    expect(rec.track(30)).toBe(true);
    expect(rec.track('1')).toBe(true);
    expect(rec.track(31)).toBe(false);
    expect(rec.session).toEqual(['30', '1']);
  });

  it('the session survives a reload (a new recommender in the same tab), and reset() empties it', async () => {
    const session = tabStorage();
    const first = await setup({}, { sessionPersistence: session });
    first.rec.track(skuOf(9));
    first.rec.track(skuOf(10));
    const reloaded = await createRecommender(
      { model: TEST_MODEL_URL, fetch: first.server.fetch, backend: 'cpu' },
      { store: first.store, sessionPersistence: session },
    );
    expect(reloaded.model.source).toBe('storage');
    expect(reloaded.session).toEqual([skuOf(9), skuOf(10)]);
    reloaded.reset();
    expect(reloaded.session).toEqual([]);
  });

  it('the session expires after 30 idle minutes (injectable clock) and is capped at maxLen', async () => {
    const clock = { t: 0 };
    const { rec, bundle } = await setup({ now: () => clock.t });
    const maxLen = bundle.manifest.hyper.maxLen;
    for (let i = 0; i < maxLen + 7; i++) rec.track(skuOf(i % NUM_ITEMS));
    expect(rec.session).toHaveLength(maxLen);
    expect(rec.session[0]).toBe(skuOf(7));
    clock.t += DEFAULT_SESSION_TIMEOUT_MS + 1;
    expect(rec.session).toEqual([]);
    const popular = await rec.recommend({ k: 3 });
    expect(popular.map((r) => r.itemId)).toEqual(
      [...bundle.tensors.get('popularity')!.data.slice(0, 3)].map(skuOf),
    );
  });

  it('dispose() releases the engine; later calls throw RecommenderDisposedError', async () => {
    const { rec } = await setup();
    rec.dispose();
    rec.dispose();
    expect(() => rec.track(skuOf(1))).toThrow(RecommenderDisposedError);
    await expect(rec.recommend({ k: 1 })).rejects.toBeInstanceOf(RecommenderDisposedError);
    expect(() => rec.reset()).toThrow(RecommenderDisposedError);
  });
});

describe('abort', () => {
  it('an aborted signal rejects createRecommender with its reason and stores nothing', async () => {
    const files = await randomBundleFiles('full', { numItems: 40, dim: 8, seed: 3 });
    const server = bundleServer(files);
    server.delayMs = 30;
    const store = indexedDbModelStore(`recommender-abort-${++dbCounter}`);
    const controller = new AbortController();
    const pending = createRecommender(
      { model: TEST_MODEL_URL, fetch: server.fetch, backend: 'cpu', signal: controller.signal },
      { store, sessionPersistence: null },
    );
    controller.abort(new Error('navigated away'));
    await expect(pending).rejects.toThrow('navigated away');
    await new Promise((r) => setTimeout(r, 100));
    expect(await store.keys()).toEqual([]);
  });
});

describe('argument errors', () => {
  it.each([
    [{ k: 0 }, RangeError, /k must be an integer from 1 to numItems \(120\), got 0/],
    [{ k: -3 }, RangeError, /\bk\b/],
    [{ k: 2.5 }, RangeError, /\bk\b/],
    [{ k: NUM_ITEMS + 1 }, RangeError, /\bk\b.*121/],
    [{ k: Infinity }, RangeError, /\bk\b/],
    [{ k: '5' }, TypeError, /\bk must be a number/],
    [{ k: NaN }, TypeError, /\bk must be a number/],
    [{ k: 5, excludeSeen: 'yes' }, TypeError, /excludeSeen must be a boolean/],
    [{ k: 5, exludeSeen: true }, TypeError, /no option 'exludeSeen'/],
    [null, TypeError, /options must be an object/],
  ])('recommend(%j) → %s naming the argument', async (opts, type, message) => {
    const { rec } = await setup();
    const error = await rec.recommend(opts as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
  });

  it('track() with a non-id argument is a TypeError', async () => {
    const { rec } = await setup();
    expect(() => rec.track({} as never)).toThrow(/itemId must be a string/);
    expect(() => rec.track(NaN)).toThrow(TypeError);
  });

  it.each([
    [{ model: '' }, /options\.model must be/],
    [{ model: 42 }, /options\.model must be/],
    [
      { model: TEST_MODEL_URL, backend: 'gpu' },
      /options\.backend must be 'auto' \| 'webgpu' \| 'cpu', got the string "gpu"/,
    ],
    [{ model: TEST_MODEL_URL, storage: 'localStorage' }, /options\.storage/],
    [{ model: TEST_MODEL_URL, onProgress: 'log' }, /options\.onProgress must be a function/],
    [{ model: TEST_MODEL_URL, sessionTimeoutMs: -1 }, /options\.sessionTimeoutMs/],
    [{ model: TEST_MODEL_URL, signal: {} }, /options\.signal must be an AbortSignal/],
    [{ model: TEST_MODEL_URL, onUpdateError: 'ignore' }, /options\.onUpdateError/],
    [{ model: TEST_MODEL_URL, modle: 'x' }, /no option 'modle'/],
    [{ model: 'relative/path/' }, /options\.model is not a valid URL/],
  ])('createRecommender(%j) → TypeError naming the option', async (opts, message) => {
    const error = await createRecommender(opts as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('backends', () => {
  it('auto without WebGPU runs the CPU engine with a webgpu-unavailable warning', async () => {
    const factories: EngineFactories = { ...defaultEngineFactories, hasWebGpu: () => false };
    const { rec, warnings } = await setup({ backend: 'auto' }, { engines: factories });
    expect(rec.engine).toBe('cpu');
    expect(warnings.map((w) => w.code)).toEqual(['webgpu-unavailable']);
    expect(rec.warnings.map((w) => w.code)).toEqual(['webgpu-unavailable']);
  });

  it('auto with WebGPU whose engine fails to start falls back to CPU with a warning', async () => {
    const factories: EngineFactories = {
      ...defaultEngineFactories,
      hasWebGpu: () => true,
      adapter: async () => ({
        vendor: 'amd',
        architecture: 'rdna-3',
        device: '',
        description: '',
        isFallbackAdapter: false,
      }),
      webgpu: async () => {
        throw new Error('no adapter');
      },
    };
    const { rec, warnings } = await setup({ backend: 'auto' }, { engines: factories });
    expect(rec.engine).toBe('cpu');
    expect(await rec.engineChosen).toMatchObject({ engine: 'cpu', reason: 'webgpu-failed' });
    expect(warnings[0]).toMatchObject({ code: 'webgpu-unavailable' });
    expect(warnings[0].message).toMatch(/no adapter/);
  });

  it("backend 'webgpu' without WebGPU throws BackendUnavailableError", async () => {
    const factories: EngineFactories = { ...defaultEngineFactories, hasWebGpu: () => false };
    await expect(setup({ backend: 'webgpu' }, { engines: factories })).rejects.toBeInstanceOf(
      BackendUnavailableError,
    );
  });

  it("backend 'webgpu' runs WebGPU; a device loss switches to CPU and keeps the session", async () => {
    const gpu = fakeGpu();
    const { rec, reference, warnings } = await setup({ backend: 'webgpu' }, { engines: gpu.factories });
    expect(rec.engine).toBe('webgpu');
    rec.track(skuOf(1));
    rec.track(skuOf(2));
    const before = await rec.recommend({ k: 5 });
    gpu.state.lose!({ reason: 'unknown', message: 'GPU process crashed' });
    expect(rec.engine).toBe('cpu');
    expect(gpu.state.disposed).toBe(1);
    expect(warnings.at(-1)).toMatchObject({ code: 'device-lost' });
    expect(warnings.at(-1)!.message).toMatch(/GPU process crashed/);
    expect(rec.session).toEqual([skuOf(1), skuOf(2)]);
    const after = await rec.recommend({ k: 5 });
    expect(after).toEqual(before);
    rec.track(skuOf(3));
    const want = await reference.recommend([1, 2, 3], { k: 5 });
    expect((await rec.recommend({ k: 5 })).map((r) => r.itemId)).toEqual(want.map((r) => skuOf(r.index)));
  });

  it('a failing WebGPU call is answered by the CPU engine, which then stays', async () => {
    const gpu = fakeGpu();
    const { rec, reference, warnings } = await setup({ backend: 'webgpu' }, { engines: gpu.factories });
    rec.track(skuOf(4));
    gpu.state.failNext = new Error('GPU validation error');
    const got = await rec.recommend({ k: 4 });
    expect(got.map((r) => r.itemId)).toEqual(
      (await reference.recommend([4], { k: 4 })).map((r) => skuOf(r.index)),
    );
    expect(rec.engine).toBe('cpu');
    expect(warnings.at(-1)).toMatchObject({ code: 'engine-error' });
  });

  it('a call failing on a lost device before device.lost settles is reported as device-lost', async () => {
    const gpu = fakeGpu();
    const { rec, warnings } = await setup({ backend: 'webgpu' }, { engines: gpu.factories });
    rec.track(skuOf(8));
    gpu.state.failNext = Object.assign(new Error('WebGPU device lost (unknown)'), { code: 'device-lost' });
    expect(await rec.recommend({ k: 3 })).toHaveLength(3);
    expect(rec.engine).toBe('cpu');
    expect(warnings.map((w) => w.code)).toEqual(['device-lost']);
    // device.lost settling afterwards does not switch (or warn) twice.
    gpu.state.lose!({ reason: 'unknown', message: '' });
    expect(warnings.map((w) => w.code)).toEqual(['device-lost']);
  });

  it('a popularity bundle runs on CPU under auto, without a warning', async () => {
    const gpu = fakeGpu();
    const { rec, warnings } = await setup({ backend: 'auto' }, { engines: gpu.factories }, 'popularity');
    expect(rec.engine).toBe('cpu');
    expect(gpu.state.created).toBe(0);
    expect(warnings).toEqual([]);
  });
});

describe('storage fallback', () => {
  it.each(['InvalidStateError', 'SecurityError', 'UnknownError'])(
    'IndexedDB unavailable (%s) → memory with a storage-fallback warning',
    async (name) => {
      const failing: ModelStore = {
        ...memoryModelStore(),
        kind: 'indexeddb',
        get: async () => {
          throw new DOMException('IndexedDB refused', name);
        },
      };
      const { rec, warnings } = await setup({}, { store: failing, memoryStore: memoryModelStore() });
      expect(rec.model.storedIn).toBe('memory');
      expect(warnings.map((w) => w.code)).toEqual(['storage-fallback']);
      expect(warnings[0].message).toMatch(/IndexedDB is unavailable/);
      expect(await rec.recommend({ k: 2 })).toHaveLength(2);
    },
  );

  it('no indexedDB global at all → memory with a warning', async () => {
    const saved = globalThis.indexedDB;
    // @ts-expect-error simulating a browser without IndexedDB
    delete globalThis.indexedDB;
    try {
      const { rec, warnings } = await setup(
        {},
        { store: indexedDbModelStore('no-idb'), memoryStore: memoryModelStore() },
      );
      expect(rec.model.storedIn).toBe('memory');
      expect(warnings[0]).toMatchObject({ code: 'storage-fallback' });
    } finally {
      globalThis.indexedDB = saved;
    }
  });

  it("storage: 'memory' keeps the model for the page: a second recommender does not download again", async () => {
    const memory = memoryModelStore();
    const first = await setup({ storage: 'memory' }, { memoryStore: memory });
    const downloads = first.server.count('tensors.bin');
    const second = await createRecommender(
      { model: TEST_MODEL_URL, fetch: first.server.fetch, backend: 'cpu', storage: 'memory' },
      { memoryStore: memory, sessionPersistence: null },
    );
    expect(second.model.source).toBe('storage');
    expect(first.server.count('tensors.bin')).toBe(downloads);
  });
});
