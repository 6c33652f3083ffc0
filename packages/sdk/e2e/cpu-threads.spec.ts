// The CPU engine's scoring pool in Chromium (engine/cpu/parallel): on a cross-origin isolated page,
// 'auto' starts Web Workers for a 1,000,000-item catalogue and its top k equals the single-threaded
// engine's, score for score; a 37k-item compositional catalogue stays on one thread; without isolation
// (no SharedArrayBuffer) the engine runs on one thread. Latency is printed, never asserted.
import { expect, test, type Page } from '@playwright/test';

const root = process.cwd();
const module = (path: string) => `/@fs${root}/packages/sdk/${path}`;

async function open(page: Page, isolated: boolean): Promise<void> {
  page.on('pageerror', (err) => console.log('page error:', err.message));
  if (isolated) {
    await page.route('**/*', async (route) => {
      const response = await route.fetch();
      await route.fulfill({
        response,
        headers: {
          ...response.headers(),
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
        },
      });
    });
  }
  await page.goto('/blank.html');
  await expect(page.locator('#status')).toHaveText('ready');
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(isolated);
}

interface Outcome {
  threads: Record<string, number>;
  mismatches: number;
  queries: number;
  p50: Record<string, number>;
}

/** Builds a random compositional bundle in the page and compares engines with threads 1 and 'auto'. */
function compare(page: Page, numItems: number, dim: number, M: number): Promise<Outcome> {
  return page.evaluate(
    async ({ cpuUrl, modelUrl, numItems, dim, M }) => {
      const cpu = await import(/* @vite-ignore */ cpuUrl);
      const rm = await import(/* @vite-ignore */ modelUrl);
      const bundle = rm.randomCompositionalBundle(rm.seededRng(5), {
        numItems,
        dim,
        heads: 1,
        blocks: 1,
        maxLen: 50,
        M,
        K: 256,
      });
      const one = cpu.createCpuEngine(bundle, { threads: 1 });
      const auto = cpu.createCpuEngine(bundle);
      // threadsReady settles at once when no pool starts (not isolated, or too small to pay).
      const ready = await auto.threadsReady;
      if (ready !== auto.threads) throw new Error(`threadsReady ${ready} ≠ threads ${auto.threads}`);
      const times: Record<string, number[]> = { one: [], auto: [] };
      let mismatches = 0;
      let queries = 0;
      for (let q = 0; q < 40; q++) {
        const session = [q, (q * 7919) % numItems, (q * 104729) % numItems];
        const exclude = new Set(session);
        let t = performance.now();
        const a = await one.recommend(session, { k: 20, exclude });
        times.one.push(performance.now() - t);
        t = performance.now();
        const b = await auto.recommend(session, { k: 20, exclude });
        times.auto.push(performance.now() - t);
        queries++;
        if (JSON.stringify(a) !== JSON.stringify(b)) mismatches++;
      }
      const p50 = (xs: number[]) => xs.slice(5).sort((x, y) => x - y)[(xs.length - 5) >> 1];
      const outcome = {
        threads: { one: one.threads, auto: auto.threads },
        mismatches,
        queries,
        p50: { one: p50(times.one), auto: p50(times.auto) },
      };
      one.dispose();
      auto.dispose();
      return outcome;
    },
    {
      cpuUrl: module('src/engine/cpu/index.ts'),
      modelUrl: module('src/engine/cpu/testing/random-model.ts'),
      numItems,
      dim,
      M,
    },
  );
}

test('cross-origin isolated: 1M items on every core, the same top k as one thread', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page, true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const r = await compare(page, 1_000_000, 64, 4);
  console.log(
    `1M items, CPU engine: p50 ${r.p50.one.toFixed(2)} ms on 1 thread, ${r.p50.auto.toFixed(2)} ms on ${r.threads.auto}`,
  );
  expect(r.threads).toEqual({ one: 1, auto: Math.min(4, cores) });
  expect(r.queries).toBe(40);
  expect(r.mismatches).toBe(0);
});

test('cross-origin isolated: a 37k-item compositional catalogue stays on one thread', async ({ page }) => {
  await open(page, true);
  const r = await compare(page, 36_968, 32, 3);
  expect(r.threads).toEqual({ one: 1, auto: 1 });
  expect(r.mismatches).toBe(0);
});

test('not isolated (no SharedArrayBuffer): one thread, same answers', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page, false);
  const r = await compare(page, 1_000_000, 64, 4);
  expect(r.threads).toEqual({ one: 1, auto: 1 });
  expect(r.mismatches).toBe(0);
});
