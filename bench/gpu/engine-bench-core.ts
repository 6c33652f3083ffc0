// The WebGPU engine benchmark, independent of where the GPUDevice comes from: a browser page (smoke test in
// apps/demo-shop/e2e/engine-bench.spec.ts) or Dawn in Node on a real GPU (engine-bench.ts → engine-bench.mjs).
// Per bundle kind and catalogue size: random-weight bundle (real codec), the WebGPU engine on the given
// device and the CPU engine; p50/p95/p99 of recommend() over random sessions (lengths 1–50, k = 20,
// seen items excluded) after warm-up, time to score 100 sessions, and top-k agreement with the CPU engine.
// Plus the shop's pattern: sessions growing one click at a time (the WebGPU engine's incremental encoding, one
// encoder row per click), p50 at 5 and 50 clicks.
import { decodeBundleFromFiles, type ModelKind } from '../../packages/sdk/src/bundle/index.ts';
import { createCpuEngine } from '../../packages/sdk/src/engine/cpu/index.ts';
import type { Engine } from '../../packages/sdk/src/engine/types.ts';
import { createWebGpuEngine } from '../../packages/sdk/src/engine/webgpu/index.ts';
import {
  randomBundleFiles,
  seededRandom,
  type RandomBundleOptions,
} from '../../packages/sdk/src/testing/random-bundle.ts';

export interface BenchConfig {
  kind: ModelKind;
  bundle: RandomBundleOptions;
}

export interface BenchOptions {
  configs: BenchConfig[];
  /** Measured sessions per engine (after `warmup`). */
  sessions: number;
  warmup: number;
  k: number;
  /** Skip the CPU engine above this many items × dim (it can take minutes on tt at 1M). */
  cpuMaxWork?: number;
  /** Growing sessions of 50 clicks timed click by click (default 10). */
  growingSessions?: number;
  log?: (line: string) => void;
}

export interface GrowingStats {
  /** p50 ms of recommend() on the 5th and the 50th click of a session growing one click at a time. */
  p50At5: number;
  p50At50: number;
  meanPerClick: number;
  /** WebGPU: share of clicks whose encoder pass computed only the new row (1 = incremental on every click). */
  incrementalShare?: number;
}

export interface EngineStats {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** ms to run 100 sessions back to back (the unit of the paper's Table 5). */
  per100: number;
  createMs: number;
}

export interface BenchRow {
  kind: ModelKind;
  numItems: number;
  dim: number;
  webgpu: EngineStats & { gpuBytes: number; growing: GrowingStats };
  cpu?: EngineStats & { growing: GrowingStats };
  /** Sessions whose WebGPU top-k item list differs from the CPU's (float ties can cause a few). */
  topkMismatches?: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const round = (x: number) => +x.toFixed(3);

async function measure(
  engine: Engine,
  sessions: number[][],
  warmup: number,
  k: number,
): Promise<Omit<EngineStats, 'createMs'>> {
  for (let i = 0; i < warmup; i++) await engine.recommend(sessions[i % sessions.length], { k });
  const times: number[] = [];
  for (const s of sessions) {
    const t = performance.now();
    await engine.recommend(s, { k, exclude: new Set(s) });
    times.push(performance.now() - t);
  }
  const t100 = performance.now();
  for (let i = 0; i < 100; i++) await engine.recommend(sessions[i % sessions.length], { k });
  const per100 = performance.now() - t100;
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
    p99: round(quantile(sorted, 0.99)),
    mean: round(times.reduce((a, b) => a + b, 0) / times.length),
    per100: round(per100),
  };
}

const GROWING_CLICKS = 50;

/** One recommend() per click of growing sessions (k, the session's items excluded), after one warm-up session. */
async function measureGrowing(
  engine: Engine & { readonly encodedRows?: number },
  sessions: number[][],
  k: number,
): Promise<GrowingStats> {
  const at = new Map<number, number[]>([
    [5, []],
    [GROWING_CLICKS, []],
  ]);
  let total = 0;
  let clicks = 0;
  let oneRow = 0;
  for (const [s, full] of sessions.entries()) {
    for (let t = 1; t <= full.length; t++) {
      const session = full.slice(0, t);
      const start = performance.now();
      await engine.recommend(session, { k, exclude: new Set(session) });
      const ms = performance.now() - start;
      if (s === 0) continue;
      at.get(t)?.push(ms);
      total += ms;
      clicks++;
      if (engine.encodedRows === 1) oneRow++;
    }
  }
  const p50 = (xs: number[]) =>
    round(
      quantile(
        [...xs].sort((a, b) => a - b),
        0.5,
      ),
    );
  return {
    p50At5: p50(at.get(5)!),
    p50At50: p50(at.get(GROWING_CLICKS)!),
    meanPerClick: round(total / clicks),
    ...(engine.encodedRows === undefined ? {} : { incrementalShare: round(oneRow / clicks) }),
  };
}

export async function runEngineBench(device: GPUDevice, o: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const c of o.configs) {
    const bundle = await decodeBundleFromFiles(await randomBundleFiles(c.kind, c.bundle));
    const V = bundle.manifest.hyper.numItems;
    const N = bundle.manifest.hyper.dim ?? 0;
    const rand = seededRandom(1234);
    const sessions = Array.from({ length: o.sessions }, () =>
      Array.from({ length: 1 + Math.floor(rand() * 50) }, () => Math.floor(rand() * V)),
    );
    const growing = Array.from({ length: 1 + (o.growingSessions ?? 10) }, () =>
      Array.from({ length: GROWING_CLICKS }, () => Math.floor(rand() * V)),
    );
    let t = performance.now();
    const gpu = await createWebGpuEngine(bundle, { device });
    const gpuCreate = performance.now() - t;
    const row: BenchRow = {
      kind: c.kind,
      numItems: V,
      dim: N,
      webgpu: {
        ...(await measure(gpu, sessions, o.warmup, o.k)),
        createMs: round(gpuCreate),
        gpuBytes: gpu.gpuBytes,
        growing: await measureGrowing(gpu, growing, o.k),
      },
    };
    if (V * N <= (o.cpuMaxWork ?? Infinity)) {
      t = performance.now();
      const cpu = createCpuEngine(bundle);
      const cpuCreate = performance.now() - t;
      row.cpu = {
        ...(await measure(cpu, sessions, o.warmup, o.k)),
        createMs: round(cpuCreate),
        growing: await measureGrowing(cpu, growing, o.k),
      };
      let mismatches = 0;
      for (const s of sessions.slice(0, 20)) {
        const [a, b] = [await gpu.recommend(s, { k: o.k }), await cpu.recommend(s, { k: o.k })];
        if (a.map((r) => r.index).join() !== b.map((r) => r.index).join()) mismatches++;
      }
      row.topkMismatches = mismatches;
      cpu.dispose();
    }
    gpu.dispose();
    o.log?.(JSON.stringify(row));
    rows.push(row);
  }
  return rows;
}

/** The default grid: every kind at the Tmall catalogue size (40,728 items, N = 128) and compositional at 1M. */
export function defaultConfigs(sizes: number[] = [40_728, 1_000_000]): BenchConfig[] {
  const configs: BenchConfig[] = [];
  for (const V of sizes) {
    configs.push({ kind: 'compositional', bundle: { numItems: V, dim: 128, M: 4, K: 256, seed: 1 } });
    configs.push({ kind: 'full', bundle: { numItems: V, dim: 128, seed: 2 } });
    configs.push({ kind: 'tt', bundle: { numItems: V, dim: 128, ttRanks: [16, 16], seed: 3 } });
    configs.push({ kind: 'sttd', bundle: { numItems: V, dim: 128, seed: 4 } });
  }
  return configs;
}
