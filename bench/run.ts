// `pnpm bench [--quick] [--dataset-dir <dir>]…`: the latency benchmark of SPEC §7 in the system Chromium.
// Serves the demo shop (Vite) on 127.0.0.1, opens its benchmark page, and for every bundle kind × engine —
// ours (webgpu, cpu, opt-in tfjs-webgpu) and the peer, onnxruntime-web (wasm and webgpu providers) on the
// bundle's ONNX export — measures recommend() latency by session length (1, 5, 20, 50 clicks), 100-session
// time, cold/warm start, bundle/GPU/heap bytes, and what backend 'auto' picks. Writes
// bench/results/latest.{json,md,svg} (every dataset of the run) and bench/results/<dataset>/latest.*.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { parseArgs as parseCli } from 'node:util';
import { createServer, type Plugin } from 'vite';
import playwrightConfig from '../playwright.config.ts';
import type { ModelKind } from '@session-rec/sdk/bundle';
import type { BundleSummary } from '../apps/demo-shop/src/models/bundle-summary.ts';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import type {
  AutoChoice,
  BenchCase,
  BenchRow,
  EngineName,
  LengthSessions,
  MachineInfo,
} from '../apps/demo-shop/src/bench/types.ts';
import { DEFAULT_ENGINES, ENGINES, SESSION_LENGTHS, isPeer } from '../apps/demo-shop/src/bench/types.ts';
import { failedRow, rowBudgetS } from '../apps/demo-shop/src/bench/rows.ts';
import { sessionsByLength, sessionsFromTestLines } from '../apps/demo-shop/src/bench/lengths.ts';
import { listBundles } from '../apps/demo-shop/src/server/model-index.ts';
import { BENCH_KINDS, datasetNumItems, ensureRandomBundles } from './random-bundles.ts';
import { renderMarkdown, renderSvg, type BenchResult } from '../apps/demo-shop/src/bench/report.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const modelsDir = join(root, 'apps/demo-shop/public/models');
const randomModelsDir = join(root, 'bench/.cache/models');

interface Settings {
  quick: boolean;
  datasetDirs: string[];
  out: string;
  engines: EngineName[];
  kinds: ModelKind[];
  port: number;
  /** Measuring time per row (s): the run-time budget's knob. */
  budgetS: number;
}

// Run-time budget (issue 19): a full run of both datasets — 2 × (4 kinds × 4 engines + popularity) = 34 rows
// — must end within 12 minutes on the 2-core machine. A row costs ~5–10 s of start-up (cold + warm start,
// onnxruntime-web's 15–28 MB of wasm compiled in a fresh page) plus its measuring budget, so measuring is
// capped at 8 s a row: fast engines reach 100 rounds well before; slow ones stop at the budget with ≥ 1
// (RetailRocket sttd on SwiftShader's WebGPU: 3 s a call, 21 s a round).
// A round times one session of each length: 4 timed calls, and the 3 untimed calls before them.
const PROFILES = {
  full: { warmup: 2, count: 100, budgetS: 8, minCount: 1 },
  // A smoke run of ~2 minutes: one dataset, ≤ 5 rounds and ~1 s of measuring per row.
  quick: { warmup: 1, count: 5, budgetS: 1, minCount: 1 },
};
const K = 20;
const CASE_TIMEOUT_MS = 10 * 60_000;
const TARGET_MINUTES = 12;
// When the run falls behind its target (a loaded machine, slow start-ups), the rows left get less measuring
// time: each gets half of its share of the time left (the other half is its start-up), within these bounds.
const TARGET_S = { full: TARGET_MINUTES * 60 - 60, quick: 120 };
const MIN_BUDGET_S = { full: 1, quick: 0.25 };

const USAGE = `Usage: pnpm bench [--quick] [--dataset-dir <dir>]... [--out <dir>] [--engines <list>] [--kinds <list>] [--budget-s <s>] [--port <n>]
  --quick              Tmall only, ≤ 5 rounds (~1 s of measuring) per row; writes to bench/.cache/quick unless --out
  --dataset-dir <dir>  dataset folder whose test.txt gives the sessions; repeat it for several datasets
                       (default: every dataset with committed bundles, from ../shared/datasets/<name>)
  --out <dir>          where latest.{json,md,svg} (all datasets) and <dataset>/latest.* go (default bench/results)
  --engines <list>     comma-separated subset of ${ENGINES.join(',')} (default ${DEFAULT_ENGINES.join(',')})
  --kinds <list>       comma-separated subset of ${BENCH_KINDS.join(',')}
  --budget-s <s>       measuring time per row once its minimum rounds are done (default ${PROFILES.full.budgetS}; --quick ${PROFILES.quick.budgetS})
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
      'dataset-dir': { type: 'string', multiple: true },
      out: { type: 'string' },
      engines: { type: 'string', default: DEFAULT_ENGINES.join(',') },
      kinds: { type: 'string', default: BENCH_KINDS.join(',') },
      'budget-s': { type: 'string' },
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
  const profile = values.quick ? PROFILES.quick : PROFILES.full;
  const budgetS = values['budget-s'] === undefined ? profile.budgetS : Number(values['budget-s']);
  if (!Number.isFinite(budgetS) || budgetS <= 0)
    throw new RangeError(`--budget-s: not a positive number of seconds: ${values['budget-s']}`);
  // A smoke run must not overwrite the committed results.
  const out = values.out ?? join(root, values.quick ? 'bench/.cache/quick' : 'bench/results');
  return {
    quick: values.quick,
    datasetDirs: (values['dataset-dir'] ?? []).map((dir) => resolve(dir)),
    out: resolve(out),
    engines: engines as EngineName[],
    kinds: kinds as ModelKind[],
    port,
    budgetS,
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
  if (settings.datasetDirs.length > 0)
    return settings.datasetDirs.map((dir) => ({ name: basename(dir), dir }));
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

/** Real sessions by length: test.txt's sessions rebuilt from their prefixes, those reaching n cut at n. */
async function lengthSessions(dir: string, count: number): Promise<LengthSessions[]> {
  const path = join(dir, 'test.txt');
  const sessions = sessionsFromTestLines((await readFile(path, 'utf8')).split('\n'), path);
  if (sessions.length === 0) throw new Error(`${path}: no test cases`);
  return sessionsByLength(sessions, SESSION_LENGTHS, count);
}

/** The ONNX export of a bundle folder (packages/trainer/src/onnx), or why there is none. */
type Exporter = (bundle: Awaited<ReturnType<typeof readBundleDir>>) => Uint8Array;

async function loadExporter(): Promise<Exporter | string> {
  try {
    const module = (await import('../packages/trainer/src/onnx/index.ts')) as { exportOnnx?: Exporter };
    return module.exportOnnx ?? 'packages/trainer/src/onnx/index.ts has no exportOnnx';
  } catch (error) {
    return `packages/trainer/src/onnx/index.ts did not load (${error instanceof Error ? error.message : String(error)})`;
  }
}

const ONNX_URL = '/bench-onnx/';

/** Serves the ONNX exports, made in this process, to the page (nothing written to disk). */
function onnxPlugin(files: ReadonlyMap<string, Uint8Array>): Plugin {
  return {
    name: 'bench-onnx',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]);
        if (!path.startsWith(ONNX_URL)) return next();
        const bytes = files.get(path.slice(ONNX_URL.length));
        res.statusCode = bytes ? 200 : 404;
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(bytes ?? 'not found');
      });
    },
  };
}

function bundleDir(bundle: BundleSummary): string {
  return join(bundle.random ? randomModelsDir : modelsDir, bundle.id);
}

async function inFreshPage<T>(
  browser: Browser,
  baseUrl: string,
  work: (page: import('@playwright/test').Page) => Promise<T>,
): Promise<T> {
  // A fresh context per row: empty HTTP cache and IndexedDB, so that "cold start" really downloads.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => log(`page error: ${error.message}`));
    // The page must make no external request (SPEC §5): log any that it tries.
    page.on('request', (request) => {
      if (!request.url().startsWith(baseUrl) && !/^(data|blob):/.test(request.url()))
        log(`EXTERNAL REQUEST: ${request.url()}`);
    });
    await page.goto(`${baseUrl}/bench.html`);
    await page.waitForFunction(() => 'benchApi' in window);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), CASE_TIMEOUT_MS);
    });
    return await Promise.race([work(page), timeout]).finally(() => clearTimeout(timer));
  } finally {
    await settleWithin(10_000, context.close());
  }
}

const runOne = (browser: Browser, baseUrl: string, benchCase: BenchCase) =>
  inFreshPage(browser, baseUrl, (page) => page.evaluate((c) => window.benchApi.runCase(c), benchCase));

async function main(): Promise<void> {
  const settings = parseArgs();
  const started = Date.now();
  const loadAtStart = loadavg()[0];
  const profile = { ...(settings.quick ? PROFILES.quick : PROFILES.full), budgetS: settings.budgetS };
  const notes: string[] = [];
  const datasets = await datasetsToRun(settings);
  const wantsPeers = settings.engines.some(isPeer);
  const exporter = wantsPeers ? await loadExporter() : null;
  const onnxFiles = new Map<string, Uint8Array>();

  const cases: BenchCase[] = [];
  const failed: BenchRow[] = [];
  const bundlesRun: BundleSummary[] = [];
  for (const dataset of datasets) {
    const perLength = profile.warmup + profile.count;
    const sessions = dataset.dir ? await lengthSessions(dataset.dir, perLength) : null;
    notes.push(
      sessions
        ? `${dataset.name}: sessions are whole test sessions of ${dataset.dir}/test.txt (rebuilt from its prefixes), ` +
            `up to ${perLength} per length taken evenly over the file, each cut at that length: ` +
            sessions
              .map((l) => `${l.length} click${l.length === 1 ? '' : 's'}: ${l.sessions.length}`)
              .join(', ') +
            '. A length with fewer sessions than rounds replays them again (the tables say how many were distinct); ' +
            'a length no test session reaches is left out.'
        : `${dataset.name}: no dataset folder found — sessions are SAMPLED from each model's popularity order, not real.`,
    );
    const bundles = (await bundlesFor(dataset.name, dataset.dir, notes)).filter((b) =>
      settings.kinds.includes(b.kind),
    );
    for (const bundle of bundles) {
      bundlesRun.push(bundle);
      // Popularity has no encoder: the SDK always runs it on the CPU engine, so only that row is measured.
      const engines =
        bundle.kind === 'popularity' ? settings.engines.filter((e) => e === 'cpu') : settings.engines;
      let onnxError: string | null = null;
      if (engines.some(isPeer)) {
        if (typeof exporter === 'string') onnxError = exporter;
        else if (exporter) {
          try {
            const bytes = exporter(await readBundleDir(bundleDir(bundle)));
            onnxFiles.set(`${bundle.id}.onnx`, bytes);
            log(`${bundle.id}: ONNX export ${(bytes.byteLength / 2 ** 20).toFixed(2)} MB`);
          } catch (error) {
            onnxError = `ONNX export failed: ${error instanceof Error ? error.message : String(error)}`;
          }
        }
      }
      for (const engine of engines) {
        const benchCase: BenchCase = {
          bundle,
          engine,
          sessions,
          k: K,
          warmup: profile.warmup,
          count: profile.count,
          budgetMs: profile.budgetS * 1000,
          minCount: profile.minCount,
          ...(isPeer(engine) && !onnxError ? { onnxUrl: `${ONNX_URL}${bundle.id}.onnx` } : {}),
        };
        if (isPeer(engine) && onnxError) failed.push({ ...failedRow(benchCase, onnxError), rowMs: 0 });
        else cases.push(benchCase);
      }
    }
  }
  if (cases.length === 0 && failed.length === 0) {
    throw new UsageError(
      `nothing to measure: no bundle of kinds ${settings.kinds.join(',')} for ${datasets.map((d) => d.name).join(', ')} ` +
        `in ${modelsDir}, and no dataset.json (numItems) to generate random-weight ones from`,
    );
  }
  notes.push(
    `Latency by session length: sessions are replayed as a shop calls recommend() after each click — the timed call for ` +
      `length n is engine.recommend(first n clicks, { k: ${K}, exclude: the session's items }) (what Recommender.recommend() calls), ` +
      "made right after the untimed call for the first n − 1 clicks, so an engine that reuses the previous session's state " +
      '(incremental encoding) does so in the timed call. Only that previous call is replayed, not all n − 1 (the state it leaves is the same; ' +
      'a full replay would cost n calls a sample). Percentiles by nearest rank.',
    'Peers: onnxruntime-web (ort-wasm: its wasm build and execution provider; ort-webgpu: its WebGPU build and provider) runs the ' +
      "bundle's ONNX export (packages/trainer/src/onnx: input items int64 [L], output scores float32 [V]); its timed call is " +
      "session.run({ items }) + the SDK's top-k of the scores without the session's items, the same work as our recommend(). " +
      'Its runtime files are served from the package (no external request); threads: ort.env.wasm.numThreads = ' +
      'navigator.hardwareConcurrency on a cross-origin isolated page (else 1) — the threads column says what was used.',
    `Rounds per row: up to ${profile.count} (one session of every length each, after ${profile.warmup} warm-up rounds); measuring stops after ` +
      `${profile.budgetS} s once ${profile.minCount} round${profile.minCount === 1 ? ' is' : 's are'} done — the run-time budget (${TARGET_MINUTES} minutes for both datasets on 2 cores; ` +
      `a row's budget is lowered when the run falls behind: the budget column). ` +
      'per 100 sessions: the sum of the first 100 timed calls of a length; "(est.)" = 100 × their mean where fewer than 100 were timed.',
    'Ratios: to the fastest onnxruntime-web row of the same dataset and kind at the same length (per-100 time, and p50).',
    'Cold start: empty HTTP cache and IndexedDB → createRecommender (download, SHA-256 of every file, store) → first recommend(). Warm start: the same from IndexedDB. ' +
      'ort-*: cold = runtime wasm + .onnx download, InferenceSession.create, first run; no warm start (a second InferenceSession.create recompiles everything, and a shop would have to store the .onnx itself).',
    'GPU buffers: bytes of the GPUBuffers alive while the engine is loaded (pools included, every allocator); JS heap: performance.memory.usedJSHeapSize with bundle + engine loaded minus the empty page, both after a forced GC (WebAssembly memory not included).',
    ...(settings.engines.includes('tfjs-webgpu')
      ? [
          "tfjs-webgpu: the benchmark's generic-op tfjs engine on the webgpu backend (apps/demo-shop/src/bench/tfjs-engine.ts, WEBGPU_CPU_FORWARD off). " +
            'For tt and sttd it rebuilds the whole item table from the cores once, at engine start, and scores with a matMul.',
        ]
      : [
          'tfjs-webgpu (generic tfjs ops, ~50× slower than webgpu) is not in the default run: add it with --engines.',
        ]),
  );

  const server = await createServer({
    configFile: join(root, 'apps/demo-shop/vite.config.ts'),
    plugins: [onnxPlugin(onnxFiles)],
    // onnxruntime-web is imported lazily by the page: pre-bundled at start-up, else Vite would re-optimise and
    // reload the page in the middle of a row.
    optimizeDeps: { include: ['onnxruntime-web/wasm', 'onnxruntime-web/webgpu'] },
    // No file watching, no HMR: an edit elsewhere in the workspace must not reload the page mid-measurement.
    // Cross-origin isolation: performance.now() then ticks in 5 µs steps instead of 100 µs (sub-ms rows), and
    // onnxruntime-web can use threads (SharedArrayBuffer).
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
    const autoChoices: AutoChoice[] = [];
    for (const bundle of bundlesRun) {
      const identity = { dataset: bundle.dataset, kind: bundle.kind, bundleId: bundle.id };
      const choice = await inFreshPage(browser, baseUrl, (page) =>
        page.evaluate((url) => window.benchApi.autoChoice(url), bundle.url),
      ).then(
        (c): AutoChoice => ({ ...identity, ...c }),
        (error: Error): AutoChoice => ({
          ...identity,
          engine: null,
          engineChoice: null,
          error: error.message,
        }),
      );
      log(`${bundle.id}: backend 'auto' → ${choice.engine ?? `failed: ${choice.error}`}`);
      autoChoices.push(choice);
    }
    const rows: BenchRow[] = [...failed];
    for (const row of failed) log(`${row.bundleId} × ${row.engine}: ${row.error}`);
    const mode = settings.quick ? 'quick' : 'full';
    for (const [i, listed] of cases.entries()) {
      const leftS = TARGET_S[mode] - (Date.now() - started) / 1000;
      const budgetS = rowBudgetS(leftS, cases.length - i, profile.budgetS, MIN_BUDGET_S[mode]);
      const benchCase = { ...listed, budgetMs: Math.round(budgetS * 1000) };
      const label = `${benchCase.bundle.id} × ${benchCase.engine}`;
      log(`(${i + 1}/${cases.length}) ${label} (measuring budget ${budgetS.toFixed(1)} s)…`);
      const row = await runOne(browser, baseUrl, benchCase).catch((error: Error): BenchRow => ({
        ...failedRow(benchCase, error.message),
        rowMs: NaN,
      }));
      log(
        row.error
          ? `  failed: ${row.error}`
          : `  ${row.byLength.map((l) => `${l.length}: p50 ${l.p50Ms.toFixed(2)} ms (${l.samples})`).join(', ')}; ` +
              `cold ${row.coldStartMs.toFixed(0)} ms; row ${(row.rowMs / 1000).toFixed(1)} s`,
      );
      rows.push(row);
    }
    // Table order: as the cases were listed (dataset, kind, engine), failed exports in their place.
    const order = (r: BenchRow) =>
      bundlesRun.findIndex((b) => b.id === r.bundleId) * ENGINES.length + ENGINES.indexOf(r.engine);
    rows.sort((a, b) => order(a) - order(b));
    const machine: MachineInfo = await inFreshPage(browser, baseUrl, (page) =>
      page.evaluate(() => window.benchApi.machineInfo()),
    );
    const durationS = (Date.now() - started) / 1000;
    if (!settings.quick && durationS > TARGET_MINUTES * 60)
      notes.push(
        `This run took ${(durationS / 60).toFixed(1)} minutes, over the ${TARGET_MINUTES}-minute target.`,
      );
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
      durationS,
      command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
      quick: settings.quick,
      notes,
      rows,
      autoChoices,
    };
    await writeResult(settings.out, result);
    for (const dataset of datasets) {
      const only = (r: { dataset: string }) => r.dataset === dataset.name;
      const notesFor = notes.filter(
        (n) => !datasets.some((d) => d.name !== dataset.name && n.startsWith(`${d.name}:`)),
      );
      await writeResult(join(settings.out, dataset.name), {
        ...result,
        notes: notesFor,
        rows: rows.filter(only),
        autoChoices: autoChoices.filter(only),
      });
    }
    log(
      `wrote ${join(settings.out, '{,<dataset>/}latest.{json,md,svg}')} in ${durationS.toFixed(0)} s` +
        (settings.quick ? ' (--quick)' : ` (target ≤ ${TARGET_MINUTES * 60} s)`),
    );
  } finally {
    // Chromium with WebGPU can hang on close (measured: the run had written its results and then
    // never exited); bound each shutdown step so the command always ends.
    await settleWithin(10_000, browser.close());
    await settleWithin(10_000, server.close());
  }
}

async function writeResult(dir: string, result: BenchResult): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  await writeFile(join(dir, 'latest.md'), renderMarkdown(result) + '\n');
  await writeFile(join(dir, 'latest.svg'), renderSvg(result.rows) + '\n');
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
