// One Playwright test per equivalence case: the page's harness (pages/webgpu/harness-lib.ts) runs the case's
// GPU engine and the CPU reference on the same sessions; no failures, every (session, k) compared.
import { expect, test, type Page } from '@playwright/test';
import type { EquivalenceCase, EquivalenceReport } from './pages/webgpu/harness-lib.ts';

export type { EquivalenceCase };

type Harness = { equivalence(c: EquivalenceCase): Promise<EquivalenceReport> };

async function openHarness(page: Page, path: string): Promise<void> {
  page.on('pageerror', (err) => console.log('page error:', err.message));
  await page.goto(path);
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

const run = (page: Page, c: EquivalenceCase) =>
  page.evaluate((c) => (window as unknown as { webgpuHarness: Harness }).webgpuHarness.equivalence(c), c);

export function equivalenceTests(
  title: string,
  pagePath: string,
  cases: readonly { name: string; c: EquivalenceCase }[],
): void {
  test.describe(title, () => {
    test.describe.configure({ timeout: 180_000 });
    for (const { name, c } of cases) {
      test(name, async ({ page }) => {
        await openHarness(page, pagePath);
        const report = await run(page, c);
        console.log(
          `${name}: ${report.cases} cases, max score rel err ${report.maxScoreRelErr.toExponential(2)}, tie swaps ${report.swaps}`,
        );
        expect(report.failures).toEqual([]);
        expect(report.cases).toBe(c.sessions * c.ks.length);
      });
    }
  });
}
