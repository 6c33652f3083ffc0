// The WebGPU engine's incremental encoding (README "Incremental encoding") equals the CPU reference: for every
// kind with an encoder, random bundles (2 blocks / 2 heads in some, a repeat head and a popularity prior in
// one), sessions that grow one click at a time and cross maxLen, the same session again, two clicks at once, a
// reset, interleaved sessions, an edited and a shortened session, a restored one, a reload (fresh engine on the
// same session) and device loss in the middle. Every step: the top-k equals the CPU's (swaps only inside 1e-5
// relative ties), scores within 1e-4 relative (the tolerances of webgpu-equivalence.spec.ts), and the engine
// encoded exactly the rows it should (1 per appended click, the whole window otherwise).
import { expect, test, type Page } from '@playwright/test';
import type { IncrementalCase, IncrementalReport } from './pages/webgpu/harness-lib.ts';

type Harness = { incremental(c: IncrementalCase): Promise<IncrementalReport> };

async function openHarness(page: Page): Promise<void> {
  page.on('pageerror', (err) => console.log('page error:', err.message));
  await page.goto('/webgpu/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

const cases: { name: string; c: IncrementalCase }[] = [
  {
    name: 'compositional, V=2049, N=32, 2 heads, maxLen 50, device loss',
    c: {
      kind: 'compositional',
      bundle: { numItems: 2049, dim: 32, heads: 2, M: 4, K: 64, seed: 51 },
      k: 20,
      deviceLoss: true,
    },
  },
  {
    name: 'compositional with a repeat head and a popularity prior, 2 blocks, maxLen 12',
    c: {
      kind: 'compositional',
      bundle: {
        numItems: 1500,
        dim: 32,
        blocks: 2,
        maxLen: 12,
        M: 3,
        K: 32,
        seed: 52,
        repeatHead: 4,
        popularityPrior: 700,
      },
      k: 10,
    },
  },
  {
    name: 'full, V=1101, N=32, 2 blocks, 2 heads, maxLen 9, device loss',
    c: {
      kind: 'full',
      bundle: { numItems: 1101, dim: 32, heads: 2, blocks: 2, maxLen: 9, seed: 53 },
      k: 20,
      deviceLoss: true,
    },
  },
  {
    name: 'tt, V=1500, N=32, maxLen 11, device loss',
    c: { kind: 'tt', bundle: { numItems: 1500, dim: 32, maxLen: 11, seed: 54 }, k: 20, deviceLoss: true },
  },
  {
    name: 'sttd, V=2000, N=32, 2 heads, maxLen 10, device loss',
    c: {
      kind: 'sttd',
      bundle: { numItems: 2000, dim: 32, heads: 2, maxLen: 10, seed: 55 },
      k: 20,
      deviceLoss: true,
    },
  },
];

test.describe('WebGPU incremental encoding ≡ CPU engine', () => {
  test.describe.configure({ timeout: 180_000 });
  for (const { name, c } of cases) {
    test(name, async ({ page }) => {
      await openHarness(page);
      const r = await page.evaluate(
        (c) => (window as unknown as { webgpuHarness: Harness }).webgpuHarness.incremental(c),
        c,
      );
      console.log(
        `${name}: ${r.steps} steps, max score rel err ${r.maxScoreRelErr.toExponential(2)}, tie swaps ${r.swaps}`,
      );
      expect(r.failures).toEqual([]);
      // Each scenario step ran (growth past maxLen, the session changes, the reload, the loss when asked).
      expect(r.steps).toBeGreaterThan(20);
      if (c.deviceLoss) expect(r.log).toContain('after loss: WebGpuDeviceLostError/device-lost');
    });
  }
});
