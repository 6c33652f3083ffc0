// Device loss (SPEC §5 "auto … falls back to CPU … when the device is lost, without losing the session"):
// the device is really destroyed (device.destroy()) in real Chromium. Engine level: onDeviceLost fires and
// later calls reject with the typed WebGpuDeviceLostError. SDK level: createRecommender on 'auto' switches
// to the CPU engine with a 'device-lost' warning, keeps the clicks, and ranks the same items.
import { expect, test, type Page } from '@playwright/test';
import { randomBundleFiles } from '../src/testing/random-bundle.ts';

type Harness = {
  deviceLoss(): Promise<{ before: number; lostReason: string | null; errorName: string; errorCode: string }>;
  sdkDeviceLoss(
    url: string,
    ids: string[],
  ): Promise<{
    devices: number;
    engineBefore: string;
    engineAfter: string;
    warnings: string[];
    before: string[];
    after: string[];
    scoreDiff: number;
  }>;
};
const harness = (page: Page) => page.evaluate.bind(page);

async function openHarness(page: Page): Promise<void> {
  page.on('pageerror', (err) => console.log('page error:', err.message));
  await page.goto('/webgpu/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

test('engine: a destroyed device is reported and later calls reject with WebGpuDeviceLostError', async ({
  page,
}) => {
  await openHarness(page);
  const r = await harness(page)(() =>
    (window as unknown as { webgpuHarness: Harness }).webgpuHarness.deviceLoss(),
  );
  expect(r.before).toBe(5);
  expect(r.lostReason).toBe('destroyed');
  expect(r.errorName).toBe('WebGpuDeviceLostError');
  expect(r.errorCode).toBe('device-lost');
});

test('SDK: the WebGPU backend falls back to the CPU engine after device loss, keeping the session', async ({
  page,
}) => {
  const files = await randomBundleFiles('compositional', {
    numItems: 3000,
    dim: 32,
    heads: 2,
    M: 4,
    K: 64,
    seed: 21,
  });
  await page.route('**/e2e-models/loss/**', (route) => {
    const path = new URL(route.request().url()).pathname.split('/e2e-models/loss/')[1];
    const bytes = files.get(path);
    return bytes
      ? route.fulfill({ status: 200, body: Buffer.from(bytes) })
      : route.fulfill({ status: 404, body: 'not found' });
  });
  await openHarness(page);
  const ids = ['17', '2048', '5', '999', '17', '1234'];
  const r = await harness(page)(
    ([url, ids]) => (window as unknown as { webgpuHarness: Harness }).webgpuHarness.sdkDeviceLoss(url, ids),
    ['/e2e-models/loss/', ids] as [string, string[]],
  );
  expect(r.devices).toBeGreaterThan(0);
  expect(r.engineBefore).toBe('webgpu');
  expect(r.engineAfter).toBe('cpu');
  expect(r.warnings).toContain('device-lost');
  // Same session after the switch: same ranking (random weights separate scores far beyond float error).
  expect(r.after).toEqual(r.before);
  expect(r.scoreDiff).toBeLessThan(1e-4);
  for (const id of new Set(ids)) expect(r.after).not.toContain(id);
});
