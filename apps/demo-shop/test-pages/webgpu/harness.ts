// Test harness for the WebGPU engine (Playwright: packages/sdk/e2e/webgpu-*.spec.ts). Builds random bundles
// with the real codec, runs the CPU reference and the WebGPU engine on the same sessions in this page, and
// returns plain JSON verdicts the specs assert on.
import { decodeBundleFromFiles, type ModelBundle, type ModelKind } from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import type { Engine, ScoredItem } from '@session-rec/sdk/engine/types';
import { createWebGpuEngine, createTfjsWebGpuEngine } from '@session-rec/sdk/engine/webgpu';
import { createRecommender } from '@session-rec/sdk';
import { createWebGpuWorkerEngine } from '@session-rec/sdk/engine/webgpu-worker';
import { acquireDevice } from '@session-rec/sdk/engine/webgpu';
import { runEngineBench, type BenchConfig } from '../../../../bench/gpu/engine-bench-core.ts';
import { randomBundleFiles, seededRandom, type RandomBundleOptions } from '@session-rec/sdk/testing';

export interface EquivalenceCase {
  kind: ModelKind;
  bundle: RandomBundleOptions;
  sessions: number;
  ks: number[];
  /** Relative tolerance for score equality, and for a rank swap to count as a tie. */
  scoreTol?: number;
  tieTol?: number;
  /** Compare tfjs-webgpu instead of the hand-written engine. */
  engine?: 'webgpu' | 'tfjs-webgpu' | 'webgpu-worker';
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

async function gpuEngineFor(
  bundle: ModelBundle,
  which: 'webgpu' | 'tfjs-webgpu' | 'webgpu-worker',
): Promise<Engine> {
  if (which === 'webgpu-worker') return createWebGpuWorkerEngine(bundle);
  return which === 'webgpu' ? createWebGpuEngine(bundle) : createTfjsWebGpuEngine(bundle);
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
  engines?: ('cpu' | 'webgpu' | 'tfjs-webgpu')[];
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

/** The GPU-machine benchmark's core (bench/gpu/), run here on small sizes so that CI proves it works. */
async function engineBench(configs: BenchConfig[]) {
  const { device } = await acquireDevice();
  try {
    return await runEngineBench(device, { configs, sessions: 12, warmup: 2, k: 20 });
  } finally {
    device.destroy();
  }
}

const harness = { equivalence, deviceLoss, sdkDeviceLoss, latency, adapterInfo, engineBench };
(window as unknown as { webgpuHarness: typeof harness }).webgpuHarness = harness;
document.getElementById('status')!.textContent = 'ready';
