// The benchmark's data: what the CLI (bench/run.ts) asks the page to measure and what comes back.
// Shared by the browser page and the Node CLI, so both speak exactly the same shape.
import type { BundleSummary } from '../models/bundle-summary.ts';

/** The SDK's engines (ours) and the measured peers (onnxruntime-web on its wasm and webgpu execution providers). */
export const OUR_ENGINES = ['webgpu', 'cpu', 'tfjs-webgpu'] as const;
export const PEER_ENGINES = ['ort-wasm', 'ort-webgpu'] as const;
export const ENGINES = [...OUR_ENGINES, ...PEER_ENGINES] as const;
export type OurEngineName = (typeof OUR_ENGINES)[number];
export type PeerEngineName = (typeof PEER_ENGINES)[number];
export type EngineName = (typeof ENGINES)[number];
/** tfjs-webgpu (generic ops) is ~50× slower than the hand-written engine: opt-in (`--engines`), not default. */
export const DEFAULT_ENGINES: readonly EngineName[] = ['webgpu', 'cpu', 'ort-wasm', 'ort-webgpu'];

export const isPeer = (engine: string): engine is PeerEngineName =>
  (PEER_ENGINES as readonly string[]).includes(engine);

/** Session lengths (clicks) at which recommend() is timed: a shop's first click … a long session. */
export const SESSION_LENGTHS = [1, 5, 20, 50] as const;

export type SessionsSource = 'test.txt' | 'popularity-sampled';

/** The benchmark sessions of one length: each exactly `length` clicks (external ids, oldest first). */
export interface LengthSessions {
  length: number;
  sessions: string[][];
}

export interface BenchCase {
  bundle: BundleSummary;
  engine: EngineName;
  /** Real sessions per length; null → sampled from the bundle's popularity order (SESSION_LENGTHS). */
  sessions: LengthSessions[] | null;
  /** ort-* engines: URL of the bundle's ONNX export (the CLI serves it). */
  onnxUrl?: string;
  /** Rounds to measure: each round times one session of every length (after `warmup` unmeasured rounds). */
  count: number;
  /** Unmeasured rounds first (after one call of every length; fewer when they exceed a tenth of `budgetMs`). */
  warmup: number;
  /** Stop measuring after this many ms, once `minCount` rounds are done (engines that take a second per
   *  call cannot do 100 rounds in a run); null: no limit. Each length reports how many it measured. */
  budgetMs: number | null;
  minCount: number;
  k: number;
}

/** Latency of the recommend() right after the `length`-th click of a session. */
export interface LengthStats {
  length: number;
  /** Timed calls. */
  samples: number;
  /** Distinct sessions among them (a dataset has few sessions of 50 clicks: they are replayed again). */
  distinctSessions: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  /** The paper's unit: time for 100 sessions — the sum of 100 timed calls, or 100 × mean with fewer samples. */
  per100Ms: number;
  per100Source: 'measured' | 'estimated-from-single';
}

export interface BenchRow {
  dataset: string;
  kind: string;
  engine: EngineName;
  /** True when the bundle has random (untrained) weights: its latency is representative, its output is not. */
  randomWeights: boolean;
  bundleId: string;
  sessionsSource: SessionsSource;
  /** One entry per session length that had sessions, shortest first. */
  byLength: LengthStats[];
  /** createRecommender() with an empty store → first recommendation (download, verify, store, engine start);
   *  ort-*: runtime + .onnx download, InferenceSession.create, first run. */
  coldStartMs: number;
  /** createRecommender() with the model in IndexedDB → first recommendation; NaN for ort-* (see measure.ts). */
  warmStartMs: number;
  bundleBytes: number;
  /** ort-*: bytes of the .onnx file. */
  onnxBytes?: number;
  /** ort-*: ort.env.wasm.numThreads used (2 when the page is cross-origin isolated on a 2-core machine). */
  threads?: number;
  /** GPU buffer bytes alive with the engine loaded, allocator pools included (0 for cpu). */
  gpuBufferBytes: number;
  /** JS heap with the bundle and engine loaded minus the page's heap before any model, both after a forced GC
   *  (performance.memory; null where the browser has none). WebAssembly memory is not part of it. */
  jsHeapBytes: number | null;
  /** Wall time of the whole row (start-up + warm-up + measuring), for the run-time budget. */
  rowMs: number;
  /** The row's measuring budget (BenchCase.budgetMs: the CLI lowers it when the run falls behind). */
  budgetMs?: number | null;
  /** Details when the engine could not run this bundle; the timing fields are then NaN / empty. */
  error?: string;
}

/** What createRecommender({ backend: 'auto' }) picked for a bundle in this browser. */
export interface AutoChoice {
  dataset: string;
  kind: string;
  bundleId: string;
  /** rec.engine */
  engine: string | null;
  /** rec.engineChoice where the SDK has it (its reason), else null. */
  engineChoice: unknown;
  error?: string;
}

export interface MachineInfo {
  userAgent: string;
  hardwareConcurrency: number;
  adapter: { vendor: string; architecture: string; device: string; description: string } | null;
  /** True when the page is cross-origin isolated: performance.now() has 5 µs resolution instead of 100 µs,
   *  and onnxruntime-web may use threads (SharedArrayBuffer). */
  crossOriginIsolated: boolean;
  /** e.g. `swiftshader` when Chromium runs WebGPU on the CPU. */
  webgpuFeatures?: string[];
}
