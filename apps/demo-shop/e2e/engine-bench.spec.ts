// Smoke test of the GPU-machine benchmark (bench/gpu/engine-bench-core.ts, bundled into
// bench/gpu/dist/engine-bench.mjs): on small random bundles of every kind it measures both engines and finds the
// WebGPU top-k equal to the CPU's, and times growing sessions (incremental on every click). The real run is on a GPU machine through Dawn in Node.
import { expect, test } from '@playwright/test';
import type { BenchConfig, BenchRow } from '../../../bench/gpu/engine-bench-core.ts';

test('the engine benchmark runs every kind and agrees with the CPU engine', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/test-pages/bench/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
  const configs: BenchConfig[] = [
    { kind: 'compositional', bundle: { numItems: 3001, dim: 32, M: 4, K: 256, seed: 1 } },
    { kind: 'full', bundle: { numItems: 3001, dim: 32, seed: 2 } },
    { kind: 'tt', bundle: { numItems: 3001, dim: 32, seed: 3 } },
    { kind: 'sttd', bundle: { numItems: 3001, dim: 32, seed: 4 } },
  ];
  const rows = await page.evaluate(
    (configs) =>
      (
        window as unknown as { webgpuHarness: { engineBench(c: BenchConfig[]): Promise<BenchRow[]> } }
      ).webgpuHarness.engineBench(configs),
    configs,
  );
  console.log(JSON.stringify(rows));
  expect(rows.map((r) => r.kind)).toEqual(['compositional', 'full', 'tt', 'sttd']);
  for (const r of rows) {
    expect(r.webgpu.p50).toBeGreaterThan(0);
    expect(r.webgpu.gpuBytes).toBeGreaterThan(0);
    expect(r.cpu?.p50).toBeGreaterThan(0);
    expect(r.topkMismatches).toBe(0);
    // Growing sessions take the incremental path on every click.
    expect(r.webgpu.growing.p50At50).toBeGreaterThan(0);
    expect(r.webgpu.growing.incrementalShare).toBe(1);
  }
});
