// backend: 'auto' in real Chromium. Here the WebGPU adapter is SwiftShader (software): auto must run the CPU
// engine, say 'fallback-adapter', and never create a GPU device (that start alone costs ~1.2 s per load).
// With the adapter made to look like hardware, the real calibration runs on both engines, its choice is
// stored in localStorage, and a reload reads it back ('cached') without measuring again.
import { expect, test, type Page } from '@playwright/test';
import { randomBundleFiles } from '../src/testing/random-bundle.ts';
import type { Sdk } from './pages/sdk/harness.ts';
import type { EngineChoice } from '../src/index.ts';

type HarnessWindow = Window & { sdk: Sdk; devicesRequested?: number };

const MODEL_PATH = '/e2e-models/choice/';

async function serveBundle(page: Page): Promise<void> {
  const files = await randomBundleFiles('compositional', {
    numItems: 2000,
    dim: 16,
    heads: 2,
    M: 4,
    K: 64,
    vocabulary: 'list',
    seed: 4,
  });
  await page.route(`**${MODEL_PATH}**`, (route) => {
    const bytes = files.get(new URL(route.request().url()).pathname.slice(MODEL_PATH.length));
    return bytes
      ? route.fulfill({ status: 200, body: Buffer.from(bytes) })
      : route.fulfill({ status: 404, body: 'not found' });
  });
}

/** Counts GPUAdapter.requestDevice calls (a started WebGPU engine); optionally disguises the adapter. */
async function instrument(page: Page, pretendHardware: boolean): Promise<void> {
  await page.addInitScript((pretend) => {
    const w = window as unknown as HarnessWindow;
    w.devicesRequested = 0;
    if (typeof GPUAdapter === 'undefined') return;
    const original = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
      w.devicesRequested!++;
      return original.call(this, descriptor);
    };
    if (pretend) {
      const info = {
        vendor: 'e2e-vendor',
        architecture: 'e2e-architecture',
        device: '0x0001',
        description: 'pretend hardware GPU',
        isFallbackAdapter: false,
      };
      Object.defineProperty(GPUAdapter.prototype, 'info', { get: () => info });
      Object.defineProperty(GPUAdapter.prototype, 'isFallbackAdapter', { get: () => false });
    }
  }, pretendHardware);
}

interface Result {
  engineAtCreate: string;
  choiceAtCreate: EngineChoice;
  choice: EngineChoice;
  events: EngineChoice[];
  engine: string;
  recommended: number;
  devicesRequested: number;
  createMs: number;
  warnings: string[];
}

async function createAndChoose(page: Page, backend: 'auto' | 'webgpu'): Promise<Result> {
  await page.goto('/sdk/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
  return page.evaluate(
    async ({ model, backend }) => {
      const w = window as unknown as HarnessWindow;
      const t0 = performance.now();
      const rec = await w.sdk.createRecommender({ model, backend, storage: 'memory' });
      const createMs = performance.now() - t0;
      const events: EngineChoice[] = [];
      rec.on('engine-choice', (c) => events.push(c));
      const engineAtCreate = rec.engine;
      const choiceAtCreate = rec.engineChoice;
      rec.track('sku-000010');
      const first = await rec.recommend({ k: 10 });
      const choice = await rec.engineChosen;
      const result = {
        engineAtCreate,
        choiceAtCreate,
        choice,
        events,
        engine: rec.engine,
        recommended: first.length,
        devicesRequested: w.devicesRequested ?? -1,
        createMs,
        warnings: rec.warnings.map((x) => x.code),
      };
      rec.dispose();
      return result;
    },
    { model: MODEL_PATH, backend },
  );
}

test.describe("backend: 'auto' engine choice", () => {
  test('on SwiftShader auto runs the CPU engine because the adapter is a fallback adapter', async ({
    page,
  }) => {
    await serveBundle(page);
    await instrument(page, false);
    const r = await createAndChoose(page, 'auto');
    console.log(
      `auto on this adapter: ${JSON.stringify(r.choice)}; createRecommender ${r.createMs.toFixed(0)} ms`,
    );
    expect(r.engineAtCreate).toBe('cpu');
    expect(r.recommended).toBe(10);
    expect(r.choice.engine).toBe('cpu');
    expect(r.choice.reason).toBe('fallback-adapter');
    expect(
      r.choice.adapter!.isFallbackAdapter ||
        /swiftshader/i.test(`${r.choice.adapter!.architecture} ${r.choice.adapter!.description}`),
    ).toBe(true);
    expect(r.events.map((e) => e.reason)).toEqual(['fallback-adapter']);
    expect(r.engine).toBe('cpu');
    expect(r.devicesRequested).toBe(0);
    expect(r.warnings).toEqual([]);
  });

  test("backend 'webgpu' still forces the WebGPU engine on SwiftShader", async ({ page }) => {
    await serveBundle(page);
    await instrument(page, false);
    const r = await createAndChoose(page, 'webgpu');
    expect(r.engineAtCreate).toBe('webgpu');
    expect(r.choice).toEqual({ engine: 'webgpu', reason: 'forced' });
    expect(r.devicesRequested).toBe(1);
  });

  test('an adapter that looks like hardware is measured once; a reload reuses the stored choice', async ({
    page,
  }) => {
    await serveBundle(page);
    await instrument(page, true);
    const first = await createAndChoose(page, 'auto');
    console.log(`calibration on SwiftShader-as-hardware: ${JSON.stringify(first.choice.timings)}`);
    expect(first.engineAtCreate).toBe('cpu');
    expect(first.recommended).toBe(10);
    expect(first.choice.reason).toBe('calibrated');
    expect(first.choice.adapter).toMatchObject({ vendor: 'e2e-vendor', isFallbackAdapter: false });
    const t = first.choice.timings!;
    expect(t.cpuMs).toBeGreaterThan(0);
    expect(t.webgpuMs).toBeGreaterThan(0);
    // The engine running is the one the measurement says is faster.
    expect(first.engine).toBe(t.webgpuMs < t.cpuMs ? 'webgpu' : 'cpu');
    expect(first.devicesRequested).toBe(1);

    const second = await createAndChoose(page, 'auto');
    expect(second.choice).toEqual({ ...first.choice, reason: 'cached' });
    expect(second.engine).toBe(first.engine);
    // A cached CPU choice never starts WebGPU; a cached WebGPU choice starts it without measuring.
    expect(second.devicesRequested).toBe(first.engine === 'cpu' ? 0 : 1);
  });
});
