// The demo shop as `npm start` serves it: the production build (`vite build`, service worker included) behind
// `vite preview`, started here on a free port (the root config's webServer is the dev server). Covers what
// only a deployed shop shows: offline after one visit, no request after load, the error paths of a bad
// bundle, every warning on screen, and hand-edited links.
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { expect as baseExpect, test, type Page, type Route } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const vite = join(repo, 'node_modules/.bin/vite');
const config = join(repo, 'apps/demo-shop/vite.config.ts');
const modelsDir = join(repo, 'apps/demo-shop/public/models');
// Tmall's compositional bundle (784 KB) is the model under test; its popularity bundle is the fallback.
const MODEL = 'tmall-compositional';
const expect = baseExpect.configure({ timeout: 30_000 });

let server: ChildProcess | undefined;
let outDir = '';
let base = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  outDir = mkdtempSync(join(tmpdir(), 'shop-production-'));
  execFileSync(
    vite,
    ['build', '--config', config, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: repo,
      stdio: 'inherit',
    },
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const args = [
    'preview',
    '--config',
    config,
    '--outDir',
    outDir,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ];
  server = spawn(vite, [...args, '--strictPort'], { cwd: repo, stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${base}/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`vite preview did not answer on ${base}`);
});

test.afterAll(() => {
  server?.kill();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Uncaught exceptions of a page (what takes a shop down), and console errors other than failed requests
 *  (those are the point of the offline and corrupt-file cases). */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      errors.push(`console: ${message.text()}`);
  });
  return errors;
}

const recommendations = (page: Page) => page.getByTestId('recommendations');
const notice = (page: Page, code: string) => page.locator(`[data-testid=notice][data-code="${code}"]`);
const firstCardId = async (page: Page) =>
  (await recommendations(page).locator('[data-testid=product-card]').first().getAttribute('data-item-id'))!;

async function openShop(page: Page, suffix = ''): Promise<void> {
  await page.goto(`${base}/?model=${MODEL}${suffix}`);
  await expect(recommendations(page)).toBeVisible({ timeout: 60_000 });
}

test.describe('with the service worker', () => {
  test('after one visit, an offline reload shows recommendations from the stored model', async ({
    page,
    context,
  }) => {
    const errors = collectErrors(page);
    await openShop(page);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    const id = await firstCardId(page);
    await recommendations(page).locator('[data-testid=product-card]').first().click();
    await expect(page.getByTestId('product')).toHaveAttribute('data-item-id', id);

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByTestId('product')).toHaveAttribute('data-item-id', id);
    await expect(recommendations(page)).toHaveAttribute('data-mode', 'session');
    expect(await recommendations(page).locator('[data-testid=product-card]').count()).toBeGreaterThan(0);
    await expect(notice(page, 'offline').first()).toContainText('offline');
    await expect(page.getByTestId('status-storage')).toHaveText('this browser (stored in IndexedDB)');
    await expect(page.getByTestId('history-item')).toHaveCount(1);
    // Browsing goes on without the network.
    await recommendations(page).locator('[data-testid=product-card]').first().click();
    await expect(page.getByTestId('history-item')).toHaveCount(2);
    await context.setOffline(false);
    expect(errors).toEqual([]);
  });

  test('no network request after load: clicks are answered on the device', async ({ page, context }) => {
    const errors = collectErrors(page);
    await openShop(page);
    await page.waitForLoadState('networkidle');
    // The status panel: the strip's own metric beside the protocol's, and where categories come from.
    await expect(page.getByTestId('status-new-item')).toHaveText(/^\d+\.\d\d % · NDCG@10 \d+\.\d\d %$/);
    await expect(page.getByTestId('status-p10')).toHaveText(/^\d+\.\d\d %/);
    await expect(page.getByTestId('status-categories')).toContainText('first codebook code');
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    for (let step = 0; step < 3; step++) {
      const id = await firstCardId(page);
      await recommendations(page).locator('[data-testid=product-card]').first().click();
      await expect(page.getByTestId('product')).toHaveAttribute('data-item-id', id);
      await expect(page.getByTestId('history-item')).toHaveCount(step + 1);
    }
    await page.getByTestId('new-session').click();
    await expect(recommendations(page)).toHaveAttribute('data-mode', 'popular');
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
  });
});

// page.route sees every request only without a service worker in between.
test.describe('bad bundles, warnings and links', () => {
  test.use({ serviceWorkers: 'block' });

  const bundleFile = (file: string) => `**/models/${MODEL}/${file}`;
  const cases: [string, string, (route: Route) => Promise<void>, RegExp][] = [
    [
      'a truncated tensors.bin',
      'tensors.bin',
      async (route) => {
        const response = await route.fetch();
        const body = await response.body();
        await route.fulfill({ response, body: body.subarray(0, body.length >> 1) });
      },
      /damaged or incomplete/,
    ],
    [
      'a corrupt manifest',
      'manifest.json',
      (route) =>
        route.fulfill({ status: 200, contentType: 'application/json', body: '{"format": "session-rec' }),
      /do not describe a valid model/,
    ],
    [
      'a newer format version',
      'manifest.json',
      async (route) => {
        const response = await route.fetch();
        const manifest = await response.json();
        await route.fulfill({ response, json: { ...manifest, formatVersion: 99 } });
      },
      /newer version of the recommender/,
    ],
  ];

  for (const [name, file, handler, explanation] of cases) {
    test(`${name}: the shop stays usable, explains, and Retry loads the model once it is fixed`, async ({
      page,
    }) => {
      const errors = collectErrors(page);
      let hits = 0;
      await page.route(bundleFile(file), (route) => {
        hits++;
        return handler(route);
      });
      await openShop(page);
      const problem = notice(page, 'load-error');
      await expect(problem).toContainText(explanation);
      await expect(problem).toContainText('Meanwhile the shop shows Tmall · popularity');
      await expect(page.getByTestId('status-model')).toContainText(`fallback: ${MODEL} failed`);
      // Browsing works on the fallback: a click opens a product and starts a session.
      const id = await firstCardId(page);
      await recommendations(page).locator('[data-testid=product-card]').first().click();
      await expect(page.getByTestId('product')).toHaveAttribute('data-item-id', id);
      await expect(page.getByTestId('history-item')).toHaveCount(1);

      if (file === 'tensors.bin') {
        // The failed version is remembered: a reload does not download it again.
        await page.reload();
        await expect(problem).toContainText('not downloaded again for an hour');
        expect(hits).toBe(1);
      }
      await page.unroute(bundleFile(file));
      await problem.getByTestId('notice-action').click();
      await expect(page.getByTestId('status-model')).not.toContainText('fallback', { timeout: 60_000 });
      await expect(problem).toHaveCount(0);
      await expect(recommendations(page)).toBeVisible();
      await expect(page.getByTestId('status-storage')).toHaveText(/stored in IndexedDB/);
      expect(errors).toEqual([]);
    });
  }

  test('every bundle corrupt: a sentence and a Retry button, no page error', async ({ page }) => {
    const errors = collectErrors(page);
    await page.route('**/tensors.bin', async (route) => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      body[body.length >> 1] ^= 0xff;
      await route.fulfill({ response, body });
    });
    await page.goto(`${base}/?model=${MODEL}`);
    await expect(page.getByTestId('error')).toContainText(
      'could not be loaded because its files arrived damaged',
    );
    await expect(page.getByTestId('retry')).toBeVisible();
    await expect(page.getByTestId('status-engine')).toHaveText('none');
    await expect(notice(page, 'load-error')).toContainText('No other model of this dataset');
    expect(errors).toEqual([]);
  });

  test('a newer version that fails verification: the stored one serves, with a visible warning', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await openShop(page);
    await page.route(bundleFile('manifest.json'), async (route) => {
      const response = await route.fetch();
      const manifest = await response.json();
      await route.fulfill({ response, json: { ...manifest, version: `${manifest.version}-next` } });
    });
    await page.route(bundleFile('tensors.bin'), async (route) => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      body[7] ^= 0xff;
      await route.fulfill({ response, body });
    });
    await page.reload();
    await expect(notice(page, 'model-update-failed')).toContainText('failed its integrity check');
    await expect(recommendations(page)).toBeVisible();
    await expect(page.getByTestId('status-model')).not.toContainText('fallback');
    await notice(page, 'model-update-failed').getByTestId('dismiss-notice').click();
    await expect(notice(page, 'model-update-failed')).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('no IndexedDB and no WebGPU: both warnings are on screen, the shop works', async ({ page }) => {
    const errors = collectErrors(page);
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', {
        get() {
          throw new DOMException('IndexedDB is blocked', 'SecurityError');
        },
      });
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });
    });
    await openShop(page);
    await expect(notice(page, 'storage-fallback')).toContainText('cannot store the model');
    await expect(notice(page, 'webgpu-unavailable')).toContainText('computed on the CPU');
    await expect(page.getByTestId('status-storage')).toHaveText(/in memory only/);
    await expect(page.getByTestId('status-engine')).toHaveText('cpu');
    expect(errors).toEqual([]);
  });

  test('links: bad encoding, unknown and very long ids are "not found"; a product link is a click', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.goto(`${base}/?model=${MODEL}#/item/%E0%A4%A`);
    await expect(page.getByTestId('not-found')).toContainText('Page not found');
    await expect(recommendations(page)).toBeVisible();

    await page.goto(`${base}/?model=${MODEL}#/item/no-such-item`);
    await expect(page.getByTestId('not-found')).toContainText('Product not found');
    await expect(notice(page, 'unknown-item')).toContainText('no-such-item');
    await expect(page.getByTestId('history-item')).toHaveCount(0);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/?model=${MODEL}#/item/${'9'.repeat(3000)}`);
    await expect(page.getByTestId('not-found')).toContainText('Product not found');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    const bundle = await readBundleDir(join(modelsDir, MODEL));
    const known = bundle.itemIds(bundle.tensors.get('popularity')!.data[5]);
    await page.goto(`${base}/?model=${MODEL}#/item/${encodeURIComponent(known)}`);
    await expect(page.getByTestId('product')).toHaveAttribute('data-item-id', known);
    await expect(page.getByTestId('history-item')).toHaveCount(1);
    await expect(page.getByTestId('history-item')).toHaveAttribute('data-item-id', known);
    await expect(page.getByTestId('product-category')).toContainText('aisle');
    await expect(recommendations(page)).toHaveAttribute('data-mode', 'session');
    // A reload of the product page is not a second click.
    await page.reload();
    await expect(page.getByTestId('product')).toHaveAttribute('data-item-id', known);
    await expect(page.getByTestId('history-item')).toHaveCount(1);
    expect(errors).toEqual([]);
  });
});
