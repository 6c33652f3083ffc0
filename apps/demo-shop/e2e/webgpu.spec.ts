import { expect, test } from '@playwright/test';

// CI must prove the browser + WebGPU path, not assume it.
test('the demo page gets a WebGPU adapter', async ({ page }) => {
  await page.goto('/');
  const adapter = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? { ok: true, maxBuffer: a.limits.maxStorageBufferBindingSize } : { ok: false, maxBuffer: 0 };
  });
  expect(adapter.ok).toBe(true);
  expect(adapter.maxBuffer).toBeGreaterThan(0);
});
