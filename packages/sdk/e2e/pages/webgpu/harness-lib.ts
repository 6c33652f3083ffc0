// Test harness for the WebGPU engine (Playwright: packages/sdk/e2e/webgpu-*.spec.ts, page ./index.html). Builds
// random bundles with the real codec, runs the CPU reference and a GPU engine on the same sessions in the page,
// and returns plain JSON verdicts the specs assert on. Other pages reuse it with engines of their own
// (`gpuEngines`: the demo app's benchmark page adds its tfjs comparison engine).
import {
  decodeBundle,
  decodeBundleFromFiles,
  type ModelBundle,
  type ModelKind,
} from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import type { Engine, ScoredItem } from '@session-rec/sdk/engine/types';
import { createWebGpuEngine, type WebGpuEngine } from '@session-rec/sdk/engine/webgpu';
import { createRecommender } from '@session-rec/sdk';
import { createWebGpuWorkerEngine } from '@session-rec/sdk/engine/webgpu-worker';
import { randomBundleFiles, seededRandom, type RandomBundleOptions } from '@session-rec/sdk/testing';

export interface EquivalenceCase {
  kind: ModelKind;
  bundle: RandomBundleOptions;
  sessions: number;
  ks: number[];
  /** Relative tolerance for score equality, and for a rank swap to count as a tie. */
  scoreTol?: number;
  tieTol?: number;
  /** The engine compared with the CPU (a key of `gpuEngines`); default the hand-written `webgpu`. */
  engine?: string;
}

export interface EquivalenceReport {
  cases: number;
  failures: string[];
  maxScoreRelErr: number;
  swaps: number;
  /** Median recommend() time in ms of each engine over the non-empty sessions (first call excluded: compiles). */
  medianMs: { gpu: number; cpu: number };
  /** Time to build the bundle and each engine, ms. */
  setupMs: { bundle: number; gpu: number };
}

async function makeBundle(kind: ModelKind, options: RandomBundleOptions): Promise<ModelBundle> {
  return decodeBundleFromFiles(await randomBundleFiles(kind, options));
}

/** Random clicks; with `repeats`, each click after the first goes back to an earlier one with probability 0.4. */
function randomSession(rand: () => number, V: number, maxLen: number, repeats = false): number[] {
  const len = 1 + Math.floor(rand() * maxLen);
  const session: number[] = [];
  for (let t = 0; t < len; t++) {
    const back = repeats && t > 0 && rand() < 0.4;
    session.push(back ? session[Math.floor(rand() * t)] : Math.floor(rand() * V));
  }
  return session;
}

/**
 * Checks one result list against the CPU's: same length, no duplicates, nothing excluded; at every rank the
 * item is the CPU's, or one whose CPU score ties the CPU's item at that rank (relative `tieTol`); each score
 * within `scoreTol` (relative) of the CPU's score of that item.
 */
function compare(
  gpu: ScoredItem[],
  cpu: ScoredItem[],
  cpuScores: Float32Array,
  exclude: Set<number>,
  scoreTol: number,
  tieTol: number,
) {
  const failures: string[] = [];
  let maxRel = 0;
  let swaps = 0;
  if (gpu.length !== cpu.length) failures.push(`length ${gpu.length} ≠ CPU ${cpu.length}`);
  const seen = new Set<number>();
  // Scores near 0 (deep ranks of a long list) are compared against 1% of the list's largest |score|: their own
  // size would turn float32 rounding of a sum over N terms into a large relative error.
  const scale = Math.max(...cpu.map((r) => Math.abs(r.score)), 1e-6);
  for (let r = 0; r < Math.min(gpu.length, cpu.length); r++) {
    const g = gpu[r];
    if (seen.has(g.index)) failures.push(`rank ${r}: index ${g.index} twice`);
    seen.add(g.index);
    if (exclude.has(g.index)) failures.push(`rank ${r}: excluded index ${g.index}`);
    const ref = cpuScores[g.index];
    const rel = Math.abs(g.score - ref) / Math.max(Math.abs(ref), 1e-2 * scale);
    maxRel = Math.max(maxRel, rel);
    if (!(rel <= scoreTol))
      failures.push(
        `rank ${r}: index ${g.index} score ${g.score} vs CPU ${ref} (rel ${rel.toExponential(2)})`,
      );
    if (g.index !== cpu[r].index) {
      const gap = Math.abs(ref - cpu[r].score) / Math.max(Math.abs(cpu[r].score), 1e-2 * scale);
      if (gap <= tieTol) swaps++;
      else
        failures.push(
          `rank ${r}: index ${g.index} (CPU score ${ref}) where CPU ranks ${cpu[r].index} (${cpu[r].score}), gap ${gap.toExponential(2)}`,
        );
    }
  }
  return { failures, maxRel, swaps };
}

/** The GPU engines a case can name; a page may add its own. */
export const gpuEngines: Record<string, (bundle: ModelBundle) => Promise<Engine>> = {
  webgpu: (bundle) => createWebGpuEngine(bundle),
  'webgpu-worker': (bundle) => createWebGpuWorkerEngine(bundle),
};

async function gpuEngineFor(bundle: ModelBundle, which: string): Promise<Engine> {
  const factory = gpuEngines[which];
  if (!factory)
    throw new Error(`no GPU engine "${which}" on this page (${Object.keys(gpuEngines).join(', ')})`);
  return factory(bundle);
}

async function equivalence(c: EquivalenceCase): Promise<EquivalenceReport> {
  const t0 = performance.now();
  const bundle = await makeBundle(c.kind, c.bundle);
  const t1 = performance.now();
  const cpu = createCpuEngine(bundle);
  const gpu = await gpuEngineFor(bundle, c.engine ?? 'webgpu');
  const setupMs = { bundle: Math.round(t1 - t0), gpu: Math.round(performance.now() - t1) };
  const gpuTimes: number[] = [];
  const cpuTimes: number[] = [];
  const timed = async <T>(times: number[], f: () => Promise<T>) => {
    const t = performance.now();
    const r = await f();
    times.push(performance.now() - t);
    return r;
  };
  const V = bundle.manifest.hyper.numItems;
  const rand = seededRandom((c.bundle.seed ?? 1) * 7919 + 13);
  const report: EquivalenceReport = {
    cases: 0,
    failures: [],
    maxScoreRelErr: 0,
    swaps: 0,
    medianMs: { gpu: 0, cpu: 0 },
    setupMs,
  };
  try {
    for (let s = 0; s < c.sessions; s++) {
      // Session 0 is empty (popularity order); the others random, lengths 1 … maxLen.
      const session =
        s === 0
          ? []
          : randomSession(rand, V, bundle.manifest.hyper.maxLen, c.bundle.repeatHead !== undefined);
      const exclude = s % 2 === 1 ? new Set(session) : new Set<number>();
      const cpuScores = cpu.scoreAll(session).slice();
      for (const k of c.ks) {
        const g = await timed(gpuTimes, () => gpu.recommend(session, { k, exclude }));
        const r = await timed(cpuTimes, () => cpu.recommend(session, { k, exclude }));
        const res = compare(g, r, cpuScores, exclude, c.scoreTol ?? 1e-4, c.tieTol ?? 1e-5);
        report.cases++;
        report.swaps += res.swaps;
        report.maxScoreRelErr = Math.max(report.maxScoreRelErr, res.maxRel);
        for (const f of res.failures.slice(0, 3))
          report.failures.push(`session ${s} (length ${session.length}), k ${k}: ${f}`);
      }
    }
  } finally {
    gpu.dispose();
    cpu.dispose();
  }
  // Calls on the empty session (popularity) and the very first model call (pipeline warm-up) are left out.
  const median = (xs: number[]) => {
    const s = xs.slice(c.ks.length + 1).sort((a, b) => a - b);
    return s.length ? +s[Math.floor(s.length / 2)].toFixed(2) : NaN;
  };
  report.medianMs = { gpu: median(gpuTimes), cpu: median(cpuTimes) };
  return report;
}

export interface IncrementalCase {
  kind: ModelKind;
  bundle: RandomBundleOptions;
  k: number;
  /** Also destroy the device in the middle of a growing session (the engine owns its device). */
  deviceLoss?: boolean;
}

export interface IncrementalReport {
  steps: number;
  failures: string[];
  maxScoreRelErr: number;
  swaps: number;
  /** Per step: label and the rows the engine's encoder computed (engine.encodedRows). */
  log: string[];
}

/**
 * The incremental encoder against the CPU engine: sessions that grow one click at a time and cross maxLen,
 * the same session again, two clicks at once, a reset, two sessions interleaved, an edited session, a restored
 * one, a reload (a fresh engine on the same session, then growing there), and optionally device loss in the
 * middle. Every step is compared with the CPU's scores (as in `equivalence`) and checks how many rows the
 * engine encoded: 1 for an appended click, the whole window otherwise.
 */
async function incremental(c: IncrementalCase): Promise<IncrementalReport> {
  const bundle = await makeBundle(c.kind, c.bundle);
  const { numItems: V, maxLen } = bundle.manifest.hyper;
  const rand = seededRandom((c.bundle.seed ?? 1) * 104729 + 7);
  const repeats = c.bundle.repeatHead !== undefined;
  const click = (s: number[]) =>
    repeats && s.length > 0 && rand() < 0.4 ? s[Math.floor(rand() * s.length)] : Math.floor(rand() * V);
  const grow = (s: number[], clicks: number) => {
    const out = s.slice();
    for (let i = 0; i < clicks; i++) out.push(click(out));
    return out;
  };
  const cpu = createCpuEngine(bundle);
  let gpu: WebGpuEngine = await createWebGpuEngine(bundle);
  const report: IncrementalReport = { steps: 0, failures: [], maxScoreRelErr: 0, swaps: 0, log: [] };
  const step = async (label: string, session: number[], rows: number, k = c.k) => {
    const exclude = report.steps % 2 === 1 ? new Set(session) : new Set<number>();
    const g = await gpu.recommend(session, { k, exclude });
    const r = await cpu.recommend(session, { k, exclude });
    const res = compare(g, r, cpu.scoreAll(session).slice(), exclude, 1e-4, 1e-5);
    report.steps++;
    report.swaps += res.swaps;
    report.maxScoreRelErr = Math.max(report.maxScoreRelErr, res.maxRel);
    report.log.push(`${label} (length ${session.length}): ${gpu.encodedRows} rows`);
    for (const f of res.failures.slice(0, 3))
      report.failures.push(`${label} (length ${session.length}): ${f}`);
    if (gpu.encodedRows !== rows)
      report.failures.push(
        `${label} (length ${session.length}): encoded ${gpu.encodedRows} rows, expected ${rows}`,
      );
  };
  const full = (s: number[]) => Math.min(s.length, maxLen);
  try {
    // A grows one click at a time past maxLen: one row per click, then the window slides (full passes).
    let a: number[] = [];
    for (let t = 1; t <= maxLen + 3; t++) {
      a = grow(a, 1);
      await step('A +1', a, t <= maxLen ? 1 : maxLen);
      if (t === 3) await step('A again', a, 0);
      if (t === 4 && V > 1024) await step('A, k > 1024', a, 0, 1100);
    }
    // Reset: the empty session (popularity, no model pass), then B from scratch; two clicks at once.
    await step('reset', [], 0);
    let b = grow([], 1);
    await step('B +1', b, 1);
    b = grow(b, 2);
    await step('B +2', b, 2);
    // Two sessions interleaved: every switch re-encodes the window, then each grows.
    let c1 = grow([], 4);
    await step('C', c1, 4);
    b = grow(b, 1);
    await step('B +1 after C', b, full(b));
    c1 = grow(c1, 1);
    await step('C +1 after B', c1, full(c1));
    c1 = grow(c1, 1);
    await step('C +1', c1, 1);
    // An edited click (same length, then longer) and a shorter window are not extensions.
    const edited = c1.slice();
    edited[1] = (edited[1] + 1) % V;
    await step('C edited', edited, full(edited));
    const longer = grow(c1, 1);
    await step('C +1 after the edit', longer, full(longer));
    await step('C shortened', c1.slice(0, 3), 3);
    // A restored session (A's last window, as a session of its own) and reload: a fresh engine on it.
    const restored = a.slice(-maxLen + 2);
    await step('restored', restored, full(restored));
    gpu.dispose();
    gpu = await createWebGpuEngine(bundle);
    await step('reload', restored, full(restored));
    const grown = grow(restored, 1);
    await step('reload +1', grown, 1);
    if (c.deviceLoss) {
      // Device loss in the middle of a growing session: the engine rejects, a fresh one gives the CPU's scores.
      let d = grow([], 3);
      await step('D', d, 3);
      d = grow(d, 1);
      await step('D +1', d, 1);
      gpu.device.destroy();
      d = grow(d, 1);
      let error = 'none';
      try {
        await gpu.recommend(d, { k: c.k });
      } catch (err) {
        error = `${(err as Error).name}/${String((err as { code?: string }).code)}`;
      }
      report.log.push(`after loss: ${error}`);
      if (error !== 'WebGpuDeviceLostError/device-lost') report.failures.push(`after device loss: ${error}`);
      gpu.dispose();
      gpu = await createWebGpuEngine(bundle);
      await step('D after loss, fresh engine', d, full(d));
      d = grow(d, 1);
      await step('D +1 on the fresh engine', d, 1);
    }
  } finally {
    gpu.dispose();
    cpu.dispose();
  }
  return report;
}

/** Destroys the engine's device mid-life: reports onDeviceLost, then rejects calls with a typed error. */
async function deviceLoss(): Promise<{
  before: number;
  lostReason: string | null;
  errorName: string;
  errorCode: string;
}> {
  const bundle = await makeBundle('compositional', { numItems: 500, dim: 16, M: 2, K: 16, seed: 5 });
  let lostReason: string | null = null;
  let markLost = () => {};
  const lost = new Promise<void>((resolve) => (markLost = resolve));
  const engine = await createWebGpuEngine(bundle, {
    onDeviceLost: (info) => {
      lostReason = info.reason;
      markLost();
    },
  });
  const before = (await engine.recommend([1, 2, 3], { k: 5 })).length;
  engine.device.destroy();
  await lost;
  let errorName = 'none';
  let errorCode = 'none';
  try {
    await engine.recommend([1, 2, 3], { k: 5 });
  } catch (err) {
    errorName = (err as Error).name;
    errorCode = String((err as { code?: string }).code);
  }
  return { before, lostReason, errorName, errorCode };
}

/** p50/p95 of recommend() over random sessions, after warm-up, for the CPU and a GPU engine on one bundle. */
async function latency(o: {
  kind: ModelKind;
  bundle: RandomBundleOptions;
  sessions: number;
  k: number;
  engines?: string[];
}) {
  const bundle = await makeBundle(o.kind, o.bundle);
  const V = bundle.manifest.hyper.numItems;
  const out: Record<string, { p50: number; p95: number; createMs: number }> = {};
  for (const name of o.engines ?? ['cpu', 'webgpu']) {
    const t0 = performance.now();
    const engine = name === 'cpu' ? createCpuEngine(bundle) : await gpuEngineFor(bundle, name);
    const createMs = performance.now() - t0;
    const rand = seededRandom(99);
    const sessions = Array.from({ length: o.sessions }, () =>
      randomSession(rand, V, bundle.manifest.hyper.maxLen),
    );
    for (let i = 0; i < 3; i++) await engine.recommend(sessions[i % sessions.length], { k: o.k });
    const times: number[] = [];
    for (const s of sessions) {
      const t = performance.now();
      await engine.recommend(s, { k: o.k, exclude: new Set(s) });
      times.push(performance.now() - t);
    }
    engine.dispose();
    times.sort((a, b) => a - b);
    const q = (p: number) => +times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
    out[name] = { p50: q(0.5), p95: q(0.95), createMs: +createMs.toFixed(1) };
  }
  return out;
}

/**
 * The shop's query pattern: sessions growing one click at a time (k = 20, seen items excluded); per engine, p50
 * of recommend() at each of `lengths` over `sessions` growing sessions, after one warm-up session.
 * `modelUrl` loads a shipped bundle (e.g. '/models/retailrocket-compositional/'). 'webgpu-full' is the same
 * engine made to re-encode the whole window on every click (an untimed query on another session before each
 * timed one): the workload before incremental encoding, measured in the same run.
 */
async function growingLatency(o: {
  modelUrl: string;
  sessions: number;
  lengths: number[];
  engines?: ('cpu' | 'webgpu' | 'webgpu-full')[];
}) {
  const bundle = await decodeBundle(async (path) => {
    const res = await fetch(new URL(path, new URL(o.modelUrl, location.href)));
    if (!res.ok) throw new Error(`${o.modelUrl}${path}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  });
  const { numItems: V, maxLen } = bundle.manifest.hyper;
  const longest = Math.max(...o.lengths);
  const rand = seededRandom(2024);
  const sessions = Array.from({ length: o.sessions + 1 }, () =>
    Array.from({ length: longest }, () => Math.floor(rand() * V)),
  );
  const out: Record<string, { p50: Record<number, number>; createMs: number }> = {};
  for (const name of o.engines ?? ['cpu', 'webgpu', 'webgpu-full']) {
    const t0 = performance.now();
    const engine = name === 'cpu' ? createCpuEngine(bundle) : await createWebGpuEngine(bundle);
    const other = [(sessions[0][0] + 1) % V];
    const createMs = performance.now() - t0;
    const times = new Map<number, number[]>(o.lengths.map((l) => [l, []]));
    for (const [s, clicks] of sessions.entries()) {
      for (let t = 1; t <= clicks.length; t++) {
        const session = clicks.slice(0, t);
        if (name === 'webgpu-full') await engine.recommend(other, { k: 20 });
        const start = performance.now();
        await engine.recommend(session, { k: 20, exclude: new Set(session) });
        // Session 0 warms the pipelines up and is not counted.
        if (s > 0) times.get(t)?.push(performance.now() - start);
      }
    }
    engine.dispose();
    const p50: Record<number, number> = {};
    for (const [l, xs] of times) {
      xs.sort((a, b) => a - b);
      p50[l] = +xs[Math.floor(xs.length / 2)].toFixed(2);
    }
    out[name] = { p50, createMs: +createMs.toFixed(1) };
  }
  return { numItems: V, maxLen, dim: bundle.manifest.hyper.dim, engines: out };
}

async function adapterInfo() {
  const adapter = await navigator.gpu?.requestAdapter();
  return adapter
    ? {
        vendor: adapter.info.vendor,
        architecture: adapter.info.architecture,
        description: adapter.info.description,
      }
    : null;
}

/**
 * SDK level: a recommender on backend 'webgpu' runs WebGPU; the device it got is destroyed under it (captured by
 * wrapping GPUAdapter.requestDevice); the recommender must switch to the CPU engine with a warning, keep the
 * session, and give the same top-k as before.
 */
async function sdkDeviceLoss(modelUrl: string, itemIds: string[]) {
  const devices: GPUDevice[] = [];
  const original = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
    const device = await original.call(this, descriptor);
    devices.push(device);
    return device;
  };
  try {
    const rec = await createRecommender({ model: modelUrl, backend: 'webgpu', storage: 'memory' });
    for (const id of itemIds) rec.track(id);
    const engineBefore = rec.engine;
    const before = await rec.recommend({ k: 20, excludeSeen: true });
    devices.forEach((d) => d.destroy());
    // device.lost resolves asynchronously; the recommender switches when it hears of it (or on the next failed call).
    for (let i = 0; i < 50 && rec.engine !== 'cpu'; i++) await new Promise((r) => setTimeout(r, 20));
    const after = await rec.recommend({ k: 20, excludeSeen: true });
    const result = {
      devices: devices.length,
      engineBefore,
      engineAfter: rec.engine,
      warnings: rec.warnings.map((w) => w.code),
      before: before.map((r) => r.itemId),
      after: after.map((r) => r.itemId),
      scoreDiff: Math.max(
        0,
        ...before.map(
          (r, i) => Math.abs(r.score - (after[i]?.score ?? Infinity)) / Math.max(Math.abs(r.score), 1e-6),
        ),
      ),
    };
    rec.dispose();
    return result;
  } finally {
    GPUAdapter.prototype.requestDevice = original;
  }
}

export const webgpuHarness = {
  equivalence,
  incremental,
  deviceLoss,
  sdkDeviceLoss,
  latency,
  growingLatency,
  adapterInfo,
};

/** Puts `harness` on `window.webgpuHarness` and tells the spec the page is ready. */
export function installHarness(harness: object): void {
  (window as unknown as { webgpuHarness: object }).webgpuHarness = harness;
  document.getElementById('status')!.textContent = 'ready';
}
