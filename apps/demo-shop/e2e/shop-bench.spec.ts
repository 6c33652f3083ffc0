// The benchmark page as a person uses it (pick a model and an engine, run, get a table and a chart), and the
// page's API as `pnpm bench` drives it, on a tiny run: latency by session length, and the onnxruntime-web
// peer on the bundle's ONNX export. Columns and shapes only — no timing assertions.
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { exportOnnx } from '../../../packages/trainer/src/onnx/index.ts';
import type { BenchCase } from '../src/bench/types.ts';
import type { BundleSummary } from '../src/models/bundle-summary.ts';

const collectErrors = (page: import('@playwright/test').Page) => {
  const errors: string[] = [];
  // A 404 of /bench-sessions/<dataset>.json is the page's "no dataset folder here" answer (CI has no
  // datasets): it falls back to popularity-sampled sessions. Any other failed resource is an error.
  page.on('response', (response) => {
    if (response.status() >= 400 && !new URL(response.url()).pathname.startsWith('/bench-sessions/'))
      errors.push(`${response.status()} ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
};

test('the benchmark page measures a committed model on the CPU engine by session length and draws the chart', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('/bench.html');
  const models = page.locator('input[type=checkbox][value$="-popularity"]');
  await expect(models.first()).toBeVisible();
  // Only the first popularity model (cheap) and only the CPU engine: this checks the page, not the engines.
  for (const box of await page.locator('input[type=checkbox]').all()) await box.uncheck();
  await models.first().check();
  await page.locator('input[type=checkbox][value=cpu]').check();
  await page.getByLabel('Sessions').fill('3');
  await page.getByTestId('bench-run').click();
  await expect(page.getByTestId('bench-log')).toHaveText(/^Done: 1 measurements/, { timeout: 60_000 });
  const table = page.getByTestId('bench-results');
  await expect(table.locator('thead th')).toHaveText([
    'bundle',
    'engine',
    'p50 · 1 click',
    'p50 · 5 clicks',
    'p50 · 20 clicks',
    'p50 · 50 clicks',
    'per 100 · 5 clicks',
    'cold start',
    'warm start',
    'bundle',
    'GPU buffers',
    'timed calls',
  ]);
  const cells = table.locator('tbody tr').first().locator('td');
  await expect(cells.nth(1)).toHaveText('cpu');
  // 1 click: a measured number of milliseconds; longer lengths too, or — where no test session is that long.
  await expect(cells.nth(2)).toHaveText(/^\d+(\.\d+)? ms$/);
  for (const n of [3, 4, 5, 6]) await expect(cells.nth(n)).toHaveText(/^(\d+(\.\d+)? ms|—)$/);
  await expect(cells.nth(11)).toHaveText(/^\d+ \((test\.txt|popularity-sampled)\)$/);
  await expect(page.locator('.bench-output svg').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('runCase times the onnxruntime-web peer (wasm provider) on the ONNX export, by session length', async ({
  page,
}) => {
  const errors = collectErrors(page);
  const external: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('http://127.0.0.1') && !/^(data|blob):/.test(request.url()))
      external.push(request.url());
  });
  await page.goto('/bench.html');
  await page.waitForFunction(() => 'benchApi' in window);
  const bundles = (await (await page.request.get('/models/index.json')).json()) as BundleSummary[];
  const bundle = bundles.find((b) => b.kind === 'compositional');
  test.skip(!bundle, 'no committed compositional bundle');
  // What `pnpm bench` does in Node: export the bundle to ONNX and serve the bytes to the page.
  const dir = fileURLToPath(new URL(`../public/models/${bundle!.id}/`, import.meta.url));
  const onnx = exportOnnx(await readBundleDir(dir));
  await page.route('**/bench-onnx/test.onnx', (route) =>
    route.fulfill({ body: Buffer.from(onnx), contentType: 'application/octet-stream' }),
  );
  const benchCase: BenchCase = {
    bundle: bundle!,
    engine: 'ort-wasm',
    sessions: null, // sampled from the model's popularity order: every length present
    onnxUrl: '/bench-onnx/test.onnx',
    count: 2,
    warmup: 1,
    budgetMs: 1000,
    minCount: 1,
    k: 20,
  };
  const row = await page.evaluate((c) => window.benchApi.runCase(c), benchCase);
  expect(row.error).toBeUndefined();
  expect(row.engine).toBe('ort-wasm');
  expect(row.byLength.map((l) => l.length)).toEqual([1, 5, 20, 50]);
  for (const l of row.byLength) {
    expect(l.samples).toBeGreaterThanOrEqual(1);
    expect(l.p50Ms).toBeGreaterThan(0);
    expect(l.per100Ms).toBeGreaterThan(0);
  }
  expect(row.onnxBytes).toBe(onnx.byteLength);
  expect(row.threads).toBeGreaterThanOrEqual(1);
  expect(row.coldStartMs).toBeGreaterThan(0);
  expect(external).toEqual([]);
  expect(errors).toEqual([]);
});
