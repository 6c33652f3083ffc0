// The benchmark's data: what the CLI (bench/run.ts) asks the page to measure and what comes back.
// Shared by the browser page and the Node CLI, so both speak exactly the same shape.
import type { BundleSummary } from '../models/bundle-summary.ts';

export const ENGINES = ['webgpu', 'cpu', 'tfjs-webgpu'] as const;
export type EngineName = (typeof ENGINES)[number];

export type SessionsSource = 'test.txt' | 'popularity-sampled';

export interface BenchCase {
  bundle: BundleSummary;
  engine: EngineName;
  /** Sessions as external item ids, oldest first; null → sampled from the bundle's popularity order. */
  sessions: string[][] | null;
  /** How many sessions to measure one by one (after `warmup` unmeasured ones). */
  count: number;
  /** Unmeasured calls first (at least one; fewer when they exceed a tenth of `budgetMs`). */
  warmup: number;
  /** Stop measuring single sessions after this many ms, once `minCount` are measured (engines that take
   *  seconds per call cannot do 200 sessions in a run); null: no limit. The row reports how many it measured. */
  budgetMs: number | null;
  minCount: number;
  /** Batches of 100 sessions timed end to end (the paper's Table 5 unit); 0 → estimated from single calls.
   *  Also estimated when the single-session mean says one batch would exceed `budgetMs`. */
  per100Batches: number;
  k: number;
}

export interface BenchRow {
  dataset: string;
  kind: string;
  engine: EngineName;
  /** True when the bundle has random (untrained) weights: its latency is representative, its output is not. */
  randomWeights: boolean;
  bundleId: string;
  sessionsSource: SessionsSource;
  sessions: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Time to recommend for 100 sessions one after the other. */
  per100Ms: number;
  per100Source: 'measured' | 'estimated-from-single';
  /** createRecommender() with an empty store → first recommendation (download, verify, store, engine start). */
  coldStartMs: number;
  /** createRecommender() with the model in IndexedDB → first recommendation. */
  warmStartMs: number;
  bundleBytes: number;
  /** GPU buffer bytes alive with the engine loaded, allocator pools included (0 for cpu). */
  gpuBufferBytes: number;
  /** JS heap with the bundle and engine loaded minus the page's heap before any model, both after a forced GC
   *  (performance.memory; null where the browser has none). */
  jsHeapBytes: number | null;
  /** Details when the engine could not run this bundle; the timing fields are then NaN. */
  error?: string;
}

export interface MachineInfo {
  userAgent: string;
  hardwareConcurrency: number;
  adapter: { vendor: string; architecture: string; device: string; description: string } | null;
  /** True when the page is cross-origin isolated: performance.now() has 5 µs resolution instead of 100 µs. */
  crossOriginIsolated: boolean;
  /** e.g. `swiftshader` when Chromium runs WebGPU on the CPU. */
  webgpuFeatures?: string[];
}
