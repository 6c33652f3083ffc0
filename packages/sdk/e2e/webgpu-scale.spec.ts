// Catalogue scale (issue 7): a generated 1,000,000-item compositional bundle runs on both engines and they
// agree (buffer limits, dispatch over 65,535 workgroups folded into 2-D, top-k over 977 tiles). Latency is
// printed for the README, never asserted (timing targets belong to the benchmark).
import { expect, test, type Page } from '@playwright/test';
import type { EquivalenceCase, EquivalenceReport } from './pages/webgpu/harness-lib.ts';

type Harness = {
  equivalence(c: EquivalenceCase): Promise<EquivalenceReport>;
};

async function openHarness(page: Page): Promise<void> {
  page.on('pageerror', (err) => console.log('page error:', err.message));
  await page.goto('/webgpu/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

test('1,000,000-item compositional bundle: WebGPU top-k equals the CPU top-k', async ({ page }) => {
  test.setTimeout(300_000);
  await openHarness(page);
  const c: EquivalenceCase = {
    kind: 'compositional',
    bundle: { numItems: 1_000_000, dim: 64, M: 4, K: 256, seed: 31 },
    sessions: 5,
    ks: [10, 100],
  };
  const report = await page.evaluate(
    (c) => (window as unknown as { webgpuHarness: Harness }).webgpuHarness.equivalence(c),
    c,
  );
  console.log(
    `1M items: ${report.cases} cases, max score rel err ${report.maxScoreRelErr.toExponential(2)}, tie swaps ${report.swaps}`,
  );
  expect(report.failures).toEqual([]);
  expect(report.cases).toBe(10);
  console.log(
    `1M items: setup ms ${JSON.stringify(report.setupMs)}, median recommend() ms ${JSON.stringify(report.medianMs)}`,
  );
});
