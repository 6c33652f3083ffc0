// Quick in-page p50/p95 of recommend() per bundle kind on the CPU, WebGPU and tfjs-webgpu engines, at the
// Tmall catalogue size (40,728 items, N = 128), for the engine README. Prints, never asserts timings
// (targets belong to the benchmark, bench/). Opt-in because it is slow under SwiftShader:
//   WEBGPU_LATENCY=1 npx playwright test apps/demo-shop/e2e/engine-latency.spec.ts
import { expect, test, type Page } from '@playwright/test';

type Latency = Record<string, { p50: number; p95: number; createMs: number }>;
type Harness = {
  latency(o: unknown): Promise<Latency>;
  growingLatency(o: unknown): Promise<unknown>;
  adapterInfo(): Promise<unknown>;
};

async function openHarness(page: Page): Promise<void> {
  page.on('pageerror', (err) => console.log('page error:', err.message));
  await page.goto('/test-pages/bench/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

const V = Number(process.env.WEBGPU_LATENCY_ITEMS ?? 40_728);
const kinds = [
  { kind: 'compositional', bundle: { numItems: V, dim: 128, M: 4, K: 256, seed: 41 } },
  { kind: 'full', bundle: { numItems: V, dim: 128, seed: 42 } },
  { kind: 'tt', bundle: { numItems: V, dim: 128, ttRanks: [16, 16], seed: 43 } },
  { kind: 'sttd', bundle: { numItems: V, dim: 128, seed: 44 } },
];
const engines = (process.env.WEBGPU_LATENCY_ENGINES ?? 'cpu,webgpu,tfjs-webgpu').split(',');

test.describe('recommend() latency per kind (printed)', () => {
  test.skip(!process.env.WEBGPU_LATENCY, 'set WEBGPU_LATENCY=1 to measure');
  test.describe.configure({ timeout: 600_000 });
  for (const k of kinds) {
    test(`${k.kind}, V=${V}`, async ({ page }) => {
      await openHarness(page);
      const adapter = await page.evaluate(() =>
        (window as unknown as { webgpuHarness: Harness }).webgpuHarness.adapterInfo(),
      );
      const r = await page.evaluate(
        ([k, engines]) =>
          (window as unknown as { webgpuHarness: Harness }).webgpuHarness.latency({
            ...k,
            sessions: Number(30),
            k: 20,
            engines,
          }),
        [k, engines] as const,
      );
      console.log(`LATENCY ${JSON.stringify({ kind: k.kind, V, adapter, ...r })}`);
      for (const e of engines) expect(r[e].p50).toBeGreaterThan(0);
    });
  }
});

// The shop's pattern on the shipped model: one recommend() per click of a growing session (the WebGPU engine's
// incremental path, README "Incremental encoding"; 'webgpu-full' re-encodes every click, as before it).
// p50 at 5 and 50 clicks over 8 sessions, printed.
test.describe('growing sessions on the shipped retailrocket-compositional (printed)', () => {
  test.skip(!process.env.WEBGPU_LATENCY, 'set WEBGPU_LATENCY=1 to measure');
  test.describe.configure({ timeout: 600_000 });
  test('p50 at 5 and 50 clicks', async ({ page }) => {
    await openHarness(page);
    const r = await page.evaluate(() =>
      (window as unknown as { webgpuHarness: Harness }).webgpuHarness.growingLatency({
        modelUrl: '/models/retailrocket-compositional/',
        sessions: Number(8),
        lengths: [5, 50],
        engines: ['cpu', 'webgpu', 'webgpu-full'],
      }),
    );
    console.log(`GROWING ${JSON.stringify(r)}`);
    expect(r).toBeTruthy();
  });
});
