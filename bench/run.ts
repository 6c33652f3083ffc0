// `pnpm bench [--quick] [--dataset-dir <dir>]`: the latency benchmark of SPEC §7 in the system Chromium.
// Serves the demo shop (Vite) on 127.0.0.1, opens its benchmark page, and for every bundle kind × engine
// measures recommend() latency, 100-session time, cold/warm start, bundle/GPU/heap bytes. Writes
// bench/results/latest.{json,md,svg}.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { parseArgs as parseCli } from 'node:util';
import { createServer } from 'vite';
import playwrightConfig from '../playwright.config.ts';
import type { ModelKind } from '@session-rec/sdk/bundle';
import type { BundleSummary } from '../apps/demo-shop/src/models/bundle-summary.ts';
import type { BenchCase, BenchRow, EngineName, MachineInfo } from '../apps/demo-shop/src/bench/types.ts';
import { ENGINES } from '../apps/demo-shop/src/bench/types.ts';
import { failedRow } from '../apps/demo-shop/src/bench/rows.ts';
import { listBundles } from '../apps/demo-shop/src/server/model-index.ts';
import { readTestSessions } from '../apps/demo-shop/src/server/test-sessions.ts';
import { BENCH_KINDS, datasetNumItems, ensureRandomBundles } from './random-bundles.ts';
import { renderMarkdown, renderSvg, type BenchResult } from '../apps/demo-shop/src/bench/report.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const modelsDir = join(root, 'apps/demo-shop/public/models');
const randomModelsDir = join(root, 'bench/.cache/models');

interface Settings {
  quick: boolean;
  datasetDir?: string;
  out: string;
  engines: EngineName[];
  kinds: ModelKind[];
  port: number;
}

const PROFILES = {
  // 200 measured sessions after warm-up (SPEC §7) and a timed batch of 100 — except for an engine so slow that
  // this would take over a minute a row: it stops at 60 s (≥ 20 sessions) and the row says how many.
  full: { warmup: 10, count: 200, budgetMs: 60_000, minCount: 20, per100Batches: 1 },
  // About 2 minutes on a 2-core machine: one dataset, ≤ 40 sessions and ~2 s of measuring per row.
  quick: { warmup: 1, count: 40, budgetMs: 2000, minCount: 3, per100Batches: 0 },
};
const K = 20;
const CASE_TIMEOUT_MS = 10 * 60_000;

const USAGE = `Usage: pnpm bench [--quick] [--dataset-dir <dir>] [--out <dir>] [--engines <list>] [--kinds <list>] [--port <n>]
  --quick              Tmall only, ≤ 40 sessions (~2 s of measuring) per row, 100-session time estimated
  --dataset-dir <dir>  dataset folder whose test.txt gives the sessions (default ../shared/datasets/<name>)
  --out <dir>          where latest.json, latest.md and latest.svg go (default bench/results)
  --engines <list>     comma-separated subset of ${ENGINES.join(',')}
  --kinds <list>       comma-separated subset of ${BENCH_KINDS.join(',')}
  --port <n>           port of the Vite server on 127.0.0.1 (default 4417; the next free one if taken)`;

/** Bad command-line input: printed with the usage, without a stack trace. */
class UsageError extends Error {
  override name = 'UsageError';
}

function parseArgs(): Settings {
  try {
    return parseSettings();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parseSettings(): Settings {
  const { values } = parseCli({
    options: {
      quick: { type: 'boolean', default: false },
      'dataset-dir': { type: 'string' },
      out: { type: 'string', default: join(root, 'bench/results') },
      engines: { type: 'string', default: ENGINES.join(',') },
      kinds: { type: 'string', default: BENCH_KINDS.join(',') },
      port: { type: 'string', default: '4417' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const engines = values.engines.split(',').map((e) => e.trim());
  const unknown = engines.find((e) => !(ENGINES as readonly string[]).includes(e));
  if (unknown) throw new TypeError(`--engines: unknown engine '${unknown}' (known: ${ENGINES.join(', ')})`);
  const kinds = values.kinds.split(',').map((k) => k.trim());
  const unknownKind = kinds.find((k) => !(BENCH_KINDS as readonly string[]).includes(k));
  if (unknownKind)
    throw new TypeError(`--kinds: unknown kind '${unknownKind}' (known: ${BENCH_KINDS.join(', ')})`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new RangeError(`--port: not a port number: ${values.port}`);
  const datasetDir = values['dataset-dir'];
  return {
    quick: values.quick,
    datasetDir: datasetDir && resolve(datasetDir),
    out: resolve(values.out),
    engines: engines as EngineName[],
    kinds: kinds as ModelKind[],
    port,
  };
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Committed bundles + random-weight stand-ins for the kinds a dataset has no trained bundle of. */
async function bundlesFor(
  dataset: string,
  datasetDir: string | null,
  notes: string[],
): Promise<BundleSummary[]> {
  const trained = (
    await listBundles(modelsDir, { urlPrefix: '/models/', onSkip: (f, why) => log(`skip ${f}: ${why}`) })
  ).filter((b) => b.dataset === dataset);
  const missing = BENCH_KINDS.filter(
    (kind) => kind !== 'popularity' && !trained.some((b) => b.kind === kind),
  );
  const numItems = datasetDir ? await datasetNumItems(datasetDir).catch(() => null) : null;
  const items = numItems ?? trained[0]?.numItems;
  if (missing.length > 0 && items) {
    const made = await ensureRandomBundles(randomModelsDir, dataset, items, missing);
    for (const m of made.filter((m) => m.skipped))
      notes.push(`${dataset}: no ${m.kind} bundle (not trained, and no random stand-in: ${m.skipped}).`);
    const standIns = made.filter((m) => m.folder).map((m) => m.kind);
    if (standIns.length > 0)
      notes.push(
        `${dataset}: ${standIns.join(', ')} not trained yet — RANDOM-weight bundles of the paper's shapes stand in ` +
          '(their recommendations mean nothing; their latency is that of the real shapes, up to work that depends ' +
          'on the score distribution, such as top-k selection).',
      );
  }
  const random = (await listBundles(randomModelsDir, { urlPrefix: '/bench-models/', random: true })).filter(
    (b) => b.dataset === dataset && missing.includes(b.kind),
  );
  const order = (b: BundleSummary) => BENCH_KINDS.indexOf(b.kind);
  return [...trained, ...random].sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id));
}

async function datasetsToRun(settings: Settings): Promise<{ name: string; dir: string | null }[]> {
  if (settings.datasetDir) return [{ name: basename(settings.datasetDir), dir: settings.datasetDir }];
  const committed = [
    ...new Set((await listBundles(modelsDir, { urlPrefix: '/models/' })).map((b) => b.dataset)),
  ].sort();
  const names = committed.length > 0 ? committed : ['tmall'];
  const chosen = settings.quick ? [names.includes('tmall') ? 'tmall' : names[0]] : names;
  const { stat } = await import('node:fs/promises');
  return Promise.all(
    chosen.map(async (name) => {
      const dir = join(root, '..', 'shared', 'datasets', name);
      const exists = await stat(join(dir, 'test.txt')).then(
        () => true,
        () => false,
      );
      return { name, dir: exists ? dir : null };
    }),
  );
}

function chromiumArgs(): string[] {
  const args = (playwrightConfig.use?.launchOptions?.args ?? []) as string[];
  // Exact heap numbers (performance.memory is bucketed otherwise) and a GC the page can force before reading them.
  return [...args, '--enable-precise-memory-info', '--js-flags=--expose-gc'];
}

async function runOne(browser: Browser, baseUrl: string, benchCase: BenchCase): Promise<BenchRow> {
  // A fresh context per row: empty HTTP cache and IndexedDB, so that "cold start" really downloads.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => log(`page error: ${error.message}`));
    await page.goto(`${baseUrl}/bench.html`);
    await page.waitForFunction(() => 'benchApi' in window);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('timed out')), CASE_TIMEOUT_MS),
    );
    return await Promise.race([page.evaluate((c) => window.benchApi.runCase(c), benchCase), timeout]);
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const settings = parseArgs();
  const started = Date.now();
  const loadAtStart = loadavg()[0];
  const profile = settings.quick ? PROFILES.quick : PROFILES.full;
  const notes: string[] = [];
  const datasets = await datasetsToRun(settings);

  const cases: BenchCase[] = [];
  for (const dataset of datasets) {
    const sessionsNeeded = profile.warmup + profile.count + profile.per100Batches * 100;
    const sessions = dataset.dir ? await readTestSessions(dataset.dir, sessionsNeeded) : null;
    notes.push(
      sessions
        ? `${dataset.name}: sessions are ${sessionsNeeded} test prefixes taken evenly from ${dataset.dir}/test.txt.`
        : `${dataset.name}: no dataset folder found — sessions are SAMPLED from each model's popularity order, not real.`,
    );
    const bundles = (await bundlesFor(dataset.name, dataset.dir, notes)).filter((b) =>
      settings.kinds.includes(b.kind),
    );
    for (const bundle of bundles) {
      // Popularity has no encoder: the SDK always runs it on the CPU engine, so only that row is measured.
      const engines =
        bundle.kind === 'popularity' ? settings.engines.filter((e) => e === 'cpu') : settings.engines;
      for (const engine of engines) cases.push({ bundle, engine, sessions, k: K, ...profile });
    }
  }
  if (cases.length === 0) {
    throw new UsageError(
      `nothing to measure: no bundle of kinds ${settings.kinds.join(',')} for ${datasets.map((d) => d.name).join(', ')} ` +
        `in ${modelsDir}, and no dataset.json (numItems) to generate random-weight ones from`,
    );
  }
  notes.push(
    `Latency is engine.recommend(session, { k: ${K}, exclude: the session's items }) — the call Recommender.recommend() makes — ` +
      `timed one session at a time after ${profile.warmup} warm-up sessions; percentiles by nearest rank.`,
    `Sessions per row: up to ${profile.count}, measuring stops after ${profile.budgetMs / 1000} s once ${profile.minCount} are done (the sessions column says how many).`,
    profile.per100Batches > 0
      ? `per 100 sessions: one batch of 100 consecutive sessions timed end to end; "(est.)" = 100 × the mean single-session latency, where a batch would take over ${profile.budgetMs / 1000} s.`
      : 'per 100 sessions: estimated as 100 × the mean single-session latency (--quick).',
    'Cold start: empty HTTP cache and IndexedDB → createRecommender (download, SHA-256 of every file, store) → first recommend(). Warm start: the same from IndexedDB.',
    'GPU buffers: bytes of the GPUBuffers alive while the engine is loaded (the buffer pool of tfjs included); JS heap: performance.memory.usedJSHeapSize with bundle + engine loaded minus the empty page, both after a forced GC.',
    "tfjs-webgpu: the SDK's generic-op tfjs engine on the webgpu backend (createTfjsWebGpuEngine, WEBGPU_CPU_FORWARD off). " +
      'For tt and sttd it rebuilds the whole item table from the cores once, at engine start, and scores with a matMul: ' +
      'its per-query times do not include the reconstruction that the webgpu and cpu engines do on every query.',
  );

  const server = await createServer({
    configFile: join(root, 'apps/demo-shop/vite.config.ts'),
    // No file watching, no HMR: an edit elsewhere in the workspace must not reload the page mid-measurement.
    // Cross-origin isolation: performance.now() then ticks in 5 µs steps instead of 100 µs (sub-ms rows).
    server: {
      host: '127.0.0.1',
      port: settings.port,
      strictPort: false,
      hmr: false,
      watch: null,
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
    logLevel: 'warn',
  });
  await server.listen();
  const baseUrl = (server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${settings.port}/`).replace(/\/$/, '');
  const launch = playwrightConfig.use?.launchOptions ?? {};
  const browser = await chromium.launch({ executablePath: launch.executablePath, args: chromiumArgs() });
  try {
    const rows: BenchRow[] = [];
    for (const [i, benchCase] of cases.entries()) {
      const label = `${benchCase.bundle.id} × ${benchCase.engine}`;
      log(`(${i + 1}/${cases.length}) ${label}…`);
      const row = await runOne(browser, baseUrl, benchCase).catch((error: Error) =>
        failedRow(benchCase, error.message),
      );
      log(
        row.error
          ? `  failed: ${row.error}`
          : `  p50 ${row.p50Ms.toFixed(2)} ms, per-100 ${row.per100Ms.toFixed(0)} ms, cold ${row.coldStartMs.toFixed(0)} ms`,
      );
      rows.push(row);
    }
    const machinePage = await browser.newPage();
    await machinePage.goto(`${baseUrl}/bench.html`);
    await machinePage.waitForFunction(() => 'benchApi' in window);
    const machine: MachineInfo = await machinePage.evaluate(() => window.benchApi.machineInfo());
    const result: BenchResult = {
      machine: {
        ...machine,
        browser: `Chromium ${browser.version()}`,
        os: `${platform()} ${release()}`,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        loadAverage: { start: loadAtStart, end: loadavg()[0] },
      },
      startedAt: new Date(started).toISOString(),
      command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
      quick: settings.quick,
      notes,
      rows,
    };
    await mkdir(settings.out, { recursive: true });
    await writeFile(join(settings.out, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
    await writeFile(join(settings.out, 'latest.md'), renderMarkdown(result) + '\n');
    await writeFile(join(settings.out, 'latest.svg'), renderSvg(rows) + '\n');
    log(
      `wrote ${join(settings.out, 'latest.{json,md,svg}')} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    // Chromium with WebGPU can hang on close (measured: the run had written its results and then
    // never exited); bound each shutdown step so the command always ends.
    await settleWithin(10_000, browser.close());
    await settleWithin(10_000, server.close());
  }
}

function settleWithin(ms: number, work: Promise<unknown>): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

main().then(
  () => process.exit(0),
  (error) => {
    if (error instanceof UsageError) {
      console.error(`pnpm bench: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
