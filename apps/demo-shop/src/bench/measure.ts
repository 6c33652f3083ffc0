// Measures one (bundle, engine) pair in this page: start-up (cold and warm), then recommend() latency by
// session length. Sessions are replayed as a shop sees them: the timed call for length n is the recommend()
// right after the n-th click, and the call just before it was the one for the first n − 1 clicks — so an
// engine that reuses the previous session's state (incremental encoding) is measured doing exactly that.
// Our engines are called through engine.recommend() — what Recommender.recommend() calls — and the
// onnxruntime-web peer through session.run() + the same top-k, so every row times the same work.
import { decodeBundle, type ModelBundle } from '@session-rec/sdk/bundle';
import type { Engine } from '@session-rec/sdk/engine/types';
import { createEngine, timeStart } from './engines.ts';
import { installGpuBufferCounter, liveGpuBufferBytes } from './gpu-memory.ts';
import { createOrtPeer, type OrtPeer } from './ort.ts';
import { samplePopularitySessions } from './sessions.ts';
import { summarize } from './stats.ts';
import { failedRow, rowIdentity } from './rows.ts';
import {
  SESSION_LENGTHS,
  isPeer,
  type BenchCase,
  type BenchRow,
  type LengthSessions,
  type LengthStats,
  type PeerEngineName,
} from './types.ts';

async function fetchBundle(url: string): Promise<ModelBundle> {
  return decodeBundle(async (path) => {
    const response = await fetch(url + path);
    if (!response.ok) throw new Error(`GET ${url + path}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  });
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** performance.memory after a forced GC where the page may force one (the CLI starts Chromium with --expose-gc). */
async function heapBytes(): Promise<number | null> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 0));
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? memory.usedJSHeapSize : null;
}

/** One replayed session of length n: the call before the n-th click's (null for n = 1) and the timed one. */
interface Replay {
  previous: number[] | null;
  current: number[];
}

/**
 * Internal indices, cut to the model's maxLen as the SDK cuts them. A session with an item the model does
 * not know is left out: with the item dropped it would no longer have n clicks.
 */
function toReplays(
  bundle: ModelBundle,
  lists: readonly LengthSessions[],
): { length: number; replays: Replay[] }[] {
  const maxLen = bundle.manifest.hyper.maxLen;
  return lists
    .map(({ length, sessions }) => {
      const replays: Replay[] = [];
      for (const ids of sessions) {
        const indices = ids.map((id) => bundle.itemIndex(id));
        if (indices.length !== length || indices.some((i) => i < 0)) continue;
        replays.push({
          previous: length > 1 ? indices.slice(0, length - 1).slice(-maxLen) : null,
          current: indices.slice(-maxLen),
        });
      }
      return { length, replays };
    })
    .filter((l) => l.replays.length > 0);
}

function lengthStats(length: number, samples: readonly number[], distinct: number): LengthStats {
  const stats = summarize(samples);
  // The paper's unit: 100 sessions one after the other — the sum of 100 timed calls when there are 100.
  const measured = samples.length >= 100;
  return {
    length,
    samples: samples.length,
    distinctSessions: Math.min(samples.length, distinct),
    p50Ms: stats.p50,
    p95Ms: stats.p95,
    p99Ms: stats.p99,
    meanMs: stats.mean,
    per100Ms: measured ? samples.slice(0, 100).reduce((a, b) => a + b, 0) : stats.mean * 100,
    per100Source: measured ? 'measured' : 'estimated-from-single',
  };
}

interface Subject {
  recommend(session: readonly number[]): Promise<unknown>;
  coldStartMs: number;
  warmStartMs: number;
  onnxBytes?: number;
  threads?: number;
  dispose(): Promise<void> | void;
}

async function startOurs(benchCase: BenchCase, firstSession: readonly string[]): Promise<Subject> {
  const engineName = benchCase.engine as Exclude<BenchCase['engine'], PeerEngineName>;
  const { coldStartMs, warmStartMs } = await timeStart(
    benchCase.bundle.url,
    engineName,
    benchCase.k,
    firstSession,
  );
  const bundle = await fetchBundle(benchCase.bundle.url);
  const engine: Engine = await createEngine(engineName, bundle);
  const threads = (engine as { threads?: number }).threads; // the CPU engine's scoring threads
  return {
    coldStartMs,
    warmStartMs,
    ...(threads === undefined ? {} : { threads }),
    recommend: (session) => engine.recommend(session, { k: benchCase.k, exclude: new Set(session) }),
    dispose: () => engine.dispose(),
  };
}

/**
 * Cold start: runtime wasm + .onnx download, InferenceSession.create, first run. No warm start: a second
 * InferenceSession.create recompiles everything (11 s on SwiftShader's WebGPU), and it is not what a shop's
 * second page load does either (that would need the .onnx stored by the shop; ours stores the bundle).
 */
async function startPeer(benchCase: BenchCase, first: readonly number[]): Promise<Subject> {
  const engine = benchCase.engine as PeerEngineName;
  if (!benchCase.onnxUrl) throw new Error(`${engine}: no ONNX export of ${benchCase.bundle.id}`);
  const k = benchCase.k;
  const started = performance.now();
  const onnx = await fetchBytes(benchCase.onnxUrl);
  const peer: OrtPeer = await createOrtPeer(engine, onnx);
  await peer.recommend(first, k, new Set(first));
  return {
    coldStartMs: performance.now() - started,
    warmStartMs: NaN,
    onnxBytes: onnx.byteLength,
    threads: peer.threads,
    recommend: (session) => peer.recommend(session, k, new Set(session)),
    dispose: () => peer.dispose(),
  };
}

export async function runCase(benchCase: BenchCase): Promise<BenchRow> {
  const rowStarted = performance.now();
  installGpuBufferCounter();
  let subject: Subject | null = null;
  try {
    // The page as loaded, before any model: the baseline of the heap figure.
    const heapBefore = await heapBytes();
    // GPU bytes are counted from here too: tfjs pools the buffers of disposed tensors (the start-up runs'
    // engines), and the measured engine then reuses that pool — a delta taken later would miss it.
    const gpuBefore = liveGpuBufferBytes();
    const lists = benchCase.sessions;
    // Start-up's first session: a real one of a few clicks (so that the first scoring pass counts).
    const firstIds =
      lists?.find((l) => l.length >= 5 && l.sessions.length > 0)?.sessions[0] ??
      lists?.find((l) => l.sessions.length > 0)?.sessions[0] ??
      [];

    let bundle: ModelBundle;
    if (isPeer(benchCase.engine)) {
      bundle = await fetchBundle(benchCase.bundle.url);
      const first = firstIds.map((id) => bundle.itemIndex(id)).filter((i) => i >= 0);
      subject = await startPeer(benchCase, first.length > 0 ? first : [0]);
    } else {
      // Start-up first, so that the download really is cold (nothing of this bundle fetched yet in this page).
      subject = await startOurs(benchCase, firstIds);
      bundle = await fetchBundle(benchCase.bundle.url);
    }
    const popularity = bundle.tensors.get('popularity')!.data;
    const source =
      lists ??
      SESSION_LENGTHS.map((length) => ({
        length,
        sessions: samplePopularitySessions(
          popularity,
          bundle.itemIds,
          benchCase.count + benchCase.warmup,
          length,
          length,
        ),
      }));
    const byLength = toReplays(bundle, source);
    if (byLength.length === 0) throw new Error('no benchmark session has only items this model knows');
    const run = subject;
    // onnxruntime-web keeps nothing between runs: the call before the timed one would change nothing there.
    const stateless = isPeer(benchCase.engine);
    const replay = async ({ previous, current }: Replay, timed: boolean): Promise<number> => {
      if (previous && !stateless) await run.recommend(previous);
      const started = performance.now();
      await run.recommend(current);
      return timed ? performance.now() - started : 0;
    };
    const at = (replays: readonly Replay[], i: number) => replays[i % replays.length];

    // Warm-up: one call of every length always (a runtime that compiles per input shape, as onnxruntime-web's
    // WebGPU provider does, would otherwise compile inside a timed call), then whole replays for at most a
    // tenth of the budget (JIT warm).
    for (const { replays } of byLength) await run.recommend(at(replays, 0).current);
    const warming = performance.now();
    warm: for (let i = 0; i < benchCase.warmup; i++) {
      for (const { replays } of byLength) {
        if (benchCase.budgetMs !== null && performance.now() - warming > benchCase.budgetMs / 10) break warm;
        await replay(at(replays, i), false);
      }
    }
    // Rounds: one session of every length each, so that a row stopped by its budget has every length.
    const samples = byLength.map(() => [] as number[]);
    const measuring = performance.now();
    for (let round = 0; round < benchCase.count; round++) {
      const overBudget = benchCase.budgetMs !== null && performance.now() - measuring > benchCase.budgetMs;
      if (overBudget && round >= benchCase.minCount) break;
      for (const [l, { replays }] of byLength.entries())
        samples[l].push(await replay(at(replays, benchCase.warmup + round), true));
    }
    const gpuBufferBytes = liveGpuBufferBytes() - gpuBefore;
    const heapAfter = await heapBytes();
    return {
      ...rowIdentity(benchCase),
      byLength: byLength.map(({ length, replays }, l) => lengthStats(length, samples[l], replays.length)),
      coldStartMs: subject.coldStartMs,
      warmStartMs: subject.warmStartMs,
      ...(subject.onnxBytes === undefined ? {} : { onnxBytes: subject.onnxBytes }),
      ...(subject.threads === undefined ? {} : { threads: subject.threads }),
      gpuBufferBytes,
      jsHeapBytes: heapBefore === null || heapAfter === null ? null : heapAfter - heapBefore,
      rowMs: performance.now() - rowStarted,
    };
  } catch (error) {
    return {
      ...failedRow(benchCase, error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
      rowMs: performance.now() - rowStarted,
    };
  } finally {
    await subject?.dispose();
  }
}
