// Measures one (bundle, engine) pair in this page: cold and warm start through the SDK's storage path,
// then single-session latency and 100-session batches through the engine's recommend() — the call
// Recommender.recommend() makes — so that the three engines are timed on exactly the same work.
import { decodeBundle, type ModelBundle } from '@session-rec/sdk/bundle';
import type { Engine } from '@session-rec/sdk/engine/types';
import { createEngine, timeStart } from './engines.ts';
import { installGpuBufferCounter, liveGpuBufferBytes } from './gpu-memory.ts';
import { samplePopularitySessions } from './sessions.ts';
import { median, summarize } from './stats.ts';
import { failedRow, rowIdentity } from './rows.ts';
import type { BenchCase, BenchRow } from './types.ts';

async function fetchBundle(url: string): Promise<ModelBundle> {
  return decodeBundle(async (path) => {
    const response = await fetch(url + path);
    if (!response.ok) throw new Error(`GET ${url + path}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  });
}

/** performance.memory after a forced GC where the page may force one (the CLI starts Chromium with --expose-gc). */
async function heapBytes(): Promise<number | null> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 0));
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? memory.usedJSHeapSize : null;
}

/** Internal indices of a session: unknown ids dropped, cut to the model's maxLen (what the SDK does). */
function toIndices(bundle: ModelBundle, session: readonly string[]): number[] {
  const indices = session.map((id) => bundle.itemIndex(id)).filter((i) => i >= 0);
  return indices.slice(-bundle.manifest.hyper.maxLen);
}

export async function runCase(benchCase: BenchCase): Promise<BenchRow> {
  const { bundle: summary, engine: engineName } = benchCase;
  installGpuBufferCounter();
  let engine: Engine | null = null;
  try {
    // The page as loaded, before any model: the baseline of the heap figure.
    const heapBefore = await heapBytes();
    // GPU bytes are counted from here too: tfjs pools the buffers of disposed tensors (the start-up runs'
    // engines), and the measured engine then reuses that pool — a delta taken later would miss it.
    const gpuBefore = liveGpuBufferBytes();
    // Start-up first, so that the download really is cold (nothing of this bundle fetched yet in this page).
    // Its first session: the first benchmark session.
    const firstSession = benchCase.sessions?.[0] ?? [];
    const { coldStartMs, warmStartMs } = await timeStart(summary.url, engineName, benchCase.k, firstSession);

    const bundle = await fetchBundle(summary.url);
    engine = await createEngine(engineName, bundle);

    const popularity = bundle.tensors.get('popularity')!.data;
    const source =
      benchCase.sessions ??
      samplePopularitySessions(popularity, bundle.itemIds, benchCase.count + benchCase.warmup);
    const sessions = source.map((s) => toIndices(bundle, s)).filter((s) => s.length > 0);
    if (sessions.length === 0) throw new Error('no benchmark session has an item this model knows');
    const sessionAt = (i: number) => sessions[i % sessions.length];
    const recommend = (session: number[]) =>
      engine!.recommend(session, { k: benchCase.k, exclude: new Set(session) });

    // Warm-up (pipelines compiled, JIT warm): at least one call; a slow engine gets a tenth of the budget.
    const warming = performance.now();
    for (let i = 0; i < benchCase.warmup; i++) {
      if (i > 0 && benchCase.budgetMs !== null && performance.now() - warming > benchCase.budgetMs / 10)
        break;
      await recommend(sessionAt(i));
    }
    const samples: number[] = [];
    const measuring = performance.now();
    for (let i = 0; i < benchCase.count; i++) {
      const overBudget = benchCase.budgetMs !== null && performance.now() - measuring > benchCase.budgetMs;
      if (overBudget && i >= benchCase.minCount) break;
      const session = sessionAt(benchCase.warmup + i);
      const started = performance.now();
      await recommend(session);
      samples.push(performance.now() - started);
    }
    const stats = summarize(samples);
    const batchFits = benchCase.budgetMs === null || stats.mean * 100 <= benchCase.budgetMs;
    const batches: number[] = [];
    for (let b = 0; b < (batchFits ? benchCase.per100Batches : 0); b++) {
      const started = performance.now();
      for (let i = 0; i < 100; i++) await recommend(sessionAt(benchCase.warmup + b * 100 + i));
      batches.push(performance.now() - started);
    }
    const gpuBufferBytes = liveGpuBufferBytes() - gpuBefore;
    const heapAfter = await heapBytes();
    return {
      ...rowIdentity(benchCase),
      sessions: samples.length,
      p50Ms: stats.p50,
      p95Ms: stats.p95,
      p99Ms: stats.p99,
      meanMs: stats.mean,
      per100Ms: batches.length > 0 ? median(batches) : stats.mean * 100,
      per100Source: batches.length > 0 ? 'measured' : 'estimated-from-single',
      coldStartMs,
      warmStartMs,
      gpuBufferBytes,
      jsHeapBytes: heapBefore === null || heapAfter === null ? null : heapAfter - heapBefore,
    };
  } catch (error) {
    return failedRow(benchCase, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  } finally {
    engine?.dispose();
  }
}
