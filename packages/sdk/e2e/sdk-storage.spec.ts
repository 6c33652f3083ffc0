// The SDK in real Chromium (real IndexedDB, sessionStorage, fetch): first load then reload without a
// download, offline reload, a corrupt update that keeps the old version, a missing file answered with
// HTML by the real dev server, quota and unavailable IndexedDB, and privacy (no request after load).
// Bundles are random-weight bundles from the real codec, served through page.route.
import { expect, test, type Page, type Route } from '@playwright/test';
import { randomBundleFiles } from '../src/testing/random-bundle.ts';
import type { Sdk } from './pages/sdk/harness.ts';
import type { Recommender } from '../src/index.ts';

type HarnessWindow = Window & { sdk: Sdk; rec?: Recommender };

const MODEL_PATH = '/e2e-models/shop/';
const NUM_ITEMS = 2000;

/** Serves bundle folders under /e2e-models/ and records every request the page makes for them. */
class ModelHost {
  files = new Map<string, Uint8Array>();
  requests: string[] = [];
  offline = false;
  /** Paths handed to the real dev server (which answers a missing file with its HTML page, status 200). */
  passThrough = new Set<string>();

  async attach(page: Page): Promise<void> {
    await page.route(`**${MODEL_PATH}**`, (route) => this.#handle(route));
  }

  async #handle(route: Route): Promise<void> {
    const path = new URL(route.request().url()).pathname.slice(MODEL_PATH.length);
    this.requests.push(path);
    if (this.offline) return route.abort('internetdisconnected');
    if (this.passThrough.has(path)) return route.continue();
    const bytes = this.files.get(path);
    if (!bytes) return route.fulfill({ status: 404, body: 'not found' });
    const contentType = path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    return route.fulfill({ status: 200, contentType, body: Buffer.from(bytes) });
  }

  count(path: string): number {
    return this.requests.filter((p) => p === path).length;
  }
}

const bundle = (seed: number, kind: 'compositional' | 'full' = 'compositional') =>
  randomBundleFiles(kind, { numItems: NUM_ITEMS, dim: 16, heads: 2, M: 4, K: 64, vocabulary: 'list', seed });

function versionOf(files: Map<string, Uint8Array>): string {
  return JSON.parse(new TextDecoder().decode(files.get('manifest.json'))).version;
}

async function openHarness(page: Page): Promise<void> {
  page.on('pageerror', (err) => console.log('page error:', err.message));
  await page.goto('/sdk/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

interface CreateResult {
  ok: boolean;
  error?: { name: string; code?: string; file?: string; message: string };
  source?: string;
  storedIn?: string;
  version?: string;
  engine?: string;
  session?: string[];
  warnings?: string[];
  warningMessages?: string[];
  progress?: { phase: string; loaded: number; total: number }[];
}

/** createRecommender in the page; the recommender stays on window.rec. */
function create(
  page: Page,
  options: { backend?: string; onUpdateError?: string } = {},
): Promise<CreateResult> {
  return page.evaluate(
    async ({ model, options }) => {
      const w = window as unknown as HarnessWindow;
      const progress: { phase: string; loaded: number; total: number }[] = [];
      try {
        const rec = await w.sdk.createRecommender({
          model,
          backend: (options.backend ?? 'cpu') as 'cpu',
          onUpdateError: options.onUpdateError as 'throw' | undefined,
          onProgress: (p) => progress.push({ phase: p.phase, loaded: p.loaded, total: p.total }),
        });
        w.rec = rec;
        return {
          ok: true,
          source: rec.model.source,
          storedIn: rec.model.storedIn,
          version: rec.model.version,
          engine: rec.engine,
          session: [...rec.session],
          warnings: rec.warnings.map((x) => x.code),
          warningMessages: rec.warnings.map((x) => x.message),
          progress,
        };
      } catch (e) {
        const err = e as Error & { code?: string; file?: string };
        return { ok: false, error: { name: err.name, code: err.code, file: err.file, message: err.message } };
      }
    },
    { model: MODEL_PATH, options },
  );
}

function recommendIds(page: Page, k = 10): Promise<string[]> {
  return page.evaluate(async (k) => {
    const rec = (window as unknown as HarnessWindow).rec!;
    return (await rec.recommend({ k })).map((r) => r.itemId);
  }, k);
}

function track(page: Page, ids: string[]): Promise<boolean[]> {
  return page.evaluate((ids) => ids.map((id) => (window as unknown as HarnessWindow).rec!.track(id)), ids);
}

test.describe('SDK storage in Chromium', () => {
  test('first load downloads, verifies and stores; a reload reads IndexedDB without downloading', async ({
    page,
  }) => {
    const host = new ModelHost();
    host.files = await bundle(1);
    await host.attach(page);
    await openHarness(page);

    const first = await create(page);
    expect(first).toMatchObject({
      ok: true,
      source: 'network',
      storedIn: 'indexeddb',
      version: versionOf(host.files),
    });
    const total = host.files.get('tensors.bin')!.byteLength + host.files.get('vocab.txt')!.byteLength;
    expect(first.progress!.filter((p) => p.phase === 'download').at(-1)).toEqual({
      phase: 'download',
      loaded: total,
      total,
    });
    expect(first.progress!.at(-1)!.phase).toBe('ready');
    expect(host.count('tensors.bin')).toBe(1);
    expect(await track(page, ['sku-000010', 'sku-000020', 'no-such-item'])).toEqual([true, true, false]);
    const before = await recommendIds(page);

    const stored = await page.evaluate(async () => {
      const { sdk } = window as unknown as HarnessWindow;
      return { usage: await sdk.getStorageUsage(), info: await sdk.getStoredModel('/e2e-models/shop/') };
    });
    const bundleBytes = [...host.files.values()].reduce((s, b) => s + b.byteLength, 0);
    expect(stored.info).toMatchObject({ version: versionOf(host.files), bytes: bundleBytes });
    expect(stored.usage.modelBytes).toBe(bundleBytes);
    expect(stored.usage.usage).toBeGreaterThan(0);

    host.requests = [];
    await page.reload();
    await expect(page.locator('#status')).toHaveText('ready');
    const second = await create(page);
    expect(second).toMatchObject({ ok: true, source: 'storage', version: versionOf(host.files) });
    expect(host.requests).toEqual(['manifest.json']);
    // The session survived the reload (sessionStorage of the same tab); the unknown id was never kept.
    expect(second.session).toEqual(['sku-000010', 'sku-000020']);
    expect(await recommendIds(page)).toEqual(before);
  });

  test('two recommenders created at once share one download and one stored copy', async ({ page }) => {
    const host = new ModelHost();
    host.files = await bundle(10);
    await host.attach(page);
    await openHarness(page);
    const result = await page.evaluate(async () => {
      const { sdk } = window as unknown as HarnessWindow;
      const [a, b] = await Promise.all([
        sdk.createRecommender({ model: '/e2e-models/shop/', backend: 'cpu' }),
        sdk.createRecommender({ model: '/e2e-models/shop/manifest.json', backend: 'cpu' }),
      ]);
      return { sources: [a.model.source, b.model.source], stored: await sdk.listStoredModels() };
    });
    expect(result.sources).toEqual(['network', 'network']);
    expect(host.count('tensors.bin')).toBe(1);
    expect(host.count('manifest.json')).toBe(1);
    expect(result.stored).toHaveLength(1);
  });

  test('a reload while offline uses the stored copy', async ({ page }) => {
    const host = new ModelHost();
    host.files = await bundle(2);
    await host.attach(page);
    await openHarness(page);
    expect((await create(page)).ok).toBe(true);
    const before = await recommendIds(page);

    host.offline = true;
    await page.reload();
    await expect(page.locator('#status')).toHaveText('ready');
    const offline = await create(page);
    expect(offline).toMatchObject({ ok: true, source: 'storage', warnings: ['offline'] });
    expect(host.count('manifest.json')).toBe(2);
    expect(host.count('tensors.bin')).toBe(1);
    expect(await recommendIds(page)).toEqual(before);
  });

  for (const [name, mutate, code] of [
    ['one flipped byte', (b: Uint8Array) => ((b[b.length >> 1] ^= 0x5a), b), 'BUNDLE_INTEGRITY'],
    ['truncated download', (b: Uint8Array) => b.slice(0, b.length >> 1), 'BUNDLE_TRUNCATED'],
  ] as const) {
    test(`a corrupt update (${name}) throws the typed error and keeps the old version usable`, async ({
      page,
    }) => {
      const host = new ModelHost();
      const v1 = await bundle(3);
      host.files = v1;
      await host.attach(page);
      await openHarness(page);
      expect((await create(page)).ok).toBe(true);
      const before = await recommendIds(page);

      const v2 = await bundle(4);
      v2.set('tensors.bin', mutate(v2.get('tensors.bin')!.slice()));
      host.files = v2;
      await page.reload();
      await expect(page.locator('#status')).toHaveText('ready');
      const strict = await create(page, { onUpdateError: 'throw' });
      expect(strict.ok).toBe(false);
      expect(strict.error).toMatchObject({ code, file: 'tensors.bin' });

      const lenient = await create(page);
      expect(lenient).toMatchObject({
        ok: true,
        source: 'storage',
        version: versionOf(v1),
        warnings: ['model-update-failed'],
      });
      expect(await recommendIds(page)).toEqual(before);
      const stored = await page.evaluate(
        async (versions) => {
          const { sdk } = window as unknown as HarnessWindow;
          return [
            await sdk.isModelStored('/e2e-models/shop/', versions[0]),
            await sdk.isModelStored('/e2e-models/shop/', versions[1]),
          ];
        },
        [versionOf(v1), versionOf(v2)],
      );
      expect(stored).toEqual([true, false]);
    });
  }

  test("a missing file answered by the dev server's HTML page (status 200) is rejected and never stored", async ({
    page,
  }) => {
    const host = new ModelHost();
    host.files = await bundle(5);
    host.passThrough.add('tensors.bin'); // the real Vite server has no such file
    await host.attach(page);
    await openHarness(page);
    const direct = await page.evaluate(async () => {
      const r = await fetch('/e2e-models/shop/tensors.bin');
      return { status: r.status, type: r.headers.get('content-type') };
    });
    expect(direct.status).toBe(200); // what makes this failure mode dangerous
    const result = await create(page);
    expect(result.ok).toBe(false);
    expect(result.error!.message).toMatch(/tensors\.bin.*HTML/);
    expect(await page.evaluate(() => (window as unknown as HarnessWindow).sdk.listStoredModels())).toEqual(
      [],
    );
  });

  test('a quota error on write falls back to memory with a warning; nothing is stored', async ({ page }) => {
    await page.addInitScript(() => {
      IDBObjectStore.prototype.put = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    const host = new ModelHost();
    host.files = await bundle(6);
    await host.attach(page);
    await openHarness(page);
    const result = await create(page);
    expect(result).toMatchObject({
      ok: true,
      source: 'network',
      storedIn: 'memory',
      warnings: ['storage-fallback'],
    });
    expect(result.warningMessages![0]).toMatch(/quota/);
    expect(await recommendIds(page, 5)).toHaveLength(5);
    expect(await page.evaluate(() => (window as unknown as HarnessWindow).sdk.listStoredModels())).toEqual(
      [],
    );
  });

  test('unavailable IndexedDB (InvalidStateError, as in private windows) falls back to memory', async ({
    page,
  }) => {
    await page.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        throw new DOMException(
          'A mutation operation was attempted on a database that did not allow mutations.',
          'InvalidStateError',
        );
      };
    });
    const host = new ModelHost();
    host.files = await bundle(7);
    await host.attach(page);
    await openHarness(page);
    const result = await create(page);
    expect(result).toMatchObject({ ok: true, storedIn: 'memory', warnings: ['storage-fallback'] });
    expect(result.warningMessages![0]).toMatch(/IndexedDB is unavailable/);
    expect(await recommendIds(page, 3)).toHaveLength(3);
  });
});

test.describe('privacy', () => {
  for (const backend of ['auto', 'cpu']) {
    test(`no network request after the model is loaded (backend ${backend})`, async ({ page }) => {
      const host = new ModelHost();
      host.files = await bundle(8);
      await host.attach(page);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
      await openHarness(page);
      const created = await create(page, { backend });
      expect(created.ok).toBe(true);
      console.log(
        `privacy (${backend}): engine ${created.engine}, ${requests.length} requests during page + model load`,
      );

      const afterLoad = requests.length;
      const summary = await page.evaluate(async () => {
        const rec = (window as unknown as HarnessWindow).rec!;
        let recommendations = 0;
        for (let i = 0; i < 200; i++) {
          rec.track(`sku-${String(((i * 7919) % 2000) + 1).padStart(6, '0')}`);
          if (i % 3 === 0) rec.track('unknown-id');
          await rec.recommend({ k: 10, excludeSeen: i % 2 === 0 });
          recommendations++;
          if (i % 60 === 59) rec.reset();
        }
        return { recommendations, engine: rec.engine };
      });
      // Give anything asynchronous (beacons, lazy chunks) time to show up.
      await page.waitForTimeout(1000);
      const late = requests.slice(afterLoad);
      console.log(
        `privacy (${backend}): ${summary.recommendations} track+recommend rounds on ${summary.engine}, requests after load: ${late.length}`,
      );
      expect(late).toEqual([]);
    });
  }
});

test.describe('WebGPU fallback', () => {
  test('backend webgpu: a lost device switches to CPU without losing the session', async ({ page }) => {
    // Keep every GPUDevice the page creates, so that the test can destroy it like a driver reset would.
    await page.addInitScript(() => {
      const devices: GPUDevice[] = [];
      (window as unknown as { gpuDevices: GPUDevice[] }).gpuDevices = devices;
      const requestDevice = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (
        this: GPUAdapter,
        descriptor?: GPUDeviceDescriptor,
      ) {
        const device = await requestDevice.call(this, descriptor);
        devices.push(device);
        return device;
      };
    });
    const host = new ModelHost();
    host.files = await bundle(9);
    await host.attach(page);
    await openHarness(page);
    // Forced: on SwiftShader (a software adapter) 'auto' now runs the CPU engine (engine-choice.spec.ts).
    const created = await create(page, { backend: 'webgpu' });
    expect(created).toMatchObject({ ok: true, engine: 'webgpu', warnings: [] });
    await track(page, ['sku-000003', 'sku-000500', 'sku-001999']);
    const onGpu = await recommendIds(page, 10);

    const after = await page.evaluate(async () => {
      const w = window as unknown as HarnessWindow & { gpuDevices: GPUDevice[] };
      const rec = w.rec!;
      const cpu = await w.sdk.createRecommender({ model: '/e2e-models/shop/', backend: 'cpu' });
      for (const device of w.gpuDevices) device.destroy();
      // device.lost settles asynchronously.
      for (let i = 0; i < 100 && rec.engine !== 'cpu'; i++) await new Promise((r) => setTimeout(r, 20));
      const ids = (await rec.recommend({ k: 10 })).map((r) => r.itemId);
      const reference = (await cpu.recommend({ k: 10 })).map((r) => r.itemId);
      return {
        engine: rec.engine,
        session: [...rec.session],
        warnings: rec.warnings.map((x) => x.code),
        ids,
        reference,
      };
    });
    expect(after.engine).toBe('cpu');
    expect(after.warnings).toEqual(['device-lost']);
    expect(after.session).toEqual(['sku-000003', 'sku-000500', 'sku-001999']);
    // The second recommender shares the tab's session: the CPU fallback answers exactly like the CPU engine.
    expect(after.ids).toEqual(after.reference);
    expect(new Set(onGpu)).toEqual(new Set(after.reference));
  });
});
