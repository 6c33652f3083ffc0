// Both cores for one recommend(): the catalogue is cut into ranges (range-scoring.ts), the engine's thread
// scores the first and each worker one of the others, over shared memory (protocol.ts). Used where the page
// may share memory (crossOriginIsolated) and a query's scoring is large enough to repay the hand-off
// (wanted()): a 1,000,000-item catalogue, a full table — not a 37k-item compositional one, which takes
// ~0.2 ms on one thread. Until every worker has started, and after any fails, the engine runs on its own.
import type { PriorTerms } from '../../popularity-prior.ts';
import { mergeTopK } from '../../topk.ts';
import type { ScoredItem } from '../../types.ts';
import type { SharedAllocator, SharedScoring } from '../item-tables/types.ts';
import { CTRL, LIMITS, type WorkerInit } from './protocol.ts';
import { scoreRange, splitRanges, type RangeQuery } from './range-scoring.ts';

/** The part of a Worker the pool uses (a Web Worker; a Node worker_thread behind an adapter in tests). */
export interface WorkerLike {
  postMessage(message: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: unknown) => void) | null;
  terminate(): void;
}

export interface ScorePoolOptions {
  numItems: number;
  prior: PriorTerms | undefined;
  /** Threads in all, the engine's included (≥ 2). */
  threads: number;
  spawn: () => WorkerLike;
  /** The table's shareScoring (called with this pool's allocator). */
  share: (alloc: SharedAllocator) => SharedScoring;
  /** How long the engine waits for a worker's range before scoring it itself and closing the pool. */
  timeoutMs?: number;
}

export interface ScorePool {
  readonly threads: number;
  /** Every worker has started: recommend() runs in parallel. */
  readonly ready: boolean;
  /** Why the pool closed, if it did (a worker failed or timed out); the engine is single-threaded again. */
  readonly failure: string | undefined;
  /** Resolves with the threads recommend() uses once every worker has started (1 if the pool closed first). */
  readonly started: Promise<number>;
  /** The top k of the scores (θ = `theta`, then the head), as the engine's topK would give them; undefined when the pool cannot take this query. */
  recommend(
    theta: Float32Array,
    k: number,
    exclude: ReadonlySet<number> | undefined,
    boosts: RangeQuery['boosts'],
  ): ScoredItem[] | undefined;
  dispose(): void;
}

/** Typed arrays over fresh SharedArrayBuffers. */
export const sharedAllocator: SharedAllocator = {
  uint32: (n) => new Uint32Array(new SharedArrayBuffer(4 * n)),
  float32: (n) => new Float32Array(new SharedArrayBuffer(4 * n)),
};
const sharedInt32 = (n: number) => new Int32Array(new SharedArrayBuffer(4 * n));
const sharedFloat64 = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n));

/** True where this thread can share memory with workers (a page must be cross-origin isolated). */
export function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

export function createScorePool(o: ScorePoolOptions): ScorePool {
  const workers = Math.min(LIMITS.workers, o.threads - 1);
  if (workers < 1) throw new RangeError(`a scoring pool needs threads ≥ 2, got ${o.threads}`);
  const shared = o.share(sharedAllocator);
  const ranges = splitRanges(o.numItems, workers + 1);
  const ctrl = sharedInt32(CTRL.length);
  const scores = sharedAllocator.float32(o.numItems);
  const input = sharedFloat64(shared.inputLength);
  const exclude = sharedInt32(LIMITS.exclude);
  const boostIndices = sharedInt32(LIMITS.boosts);
  const boostValues = sharedAllocator.float32(LIMITS.boosts);
  const scoreWeight = sharedFloat64(1);
  const resultIndex = sharedInt32(workers * LIMITS.k);
  const resultScore = sharedFloat64(workers * LIMITS.k);
  const timeoutMs = o.timeoutMs ?? 250;

  let started = 0;
  let failure: string | undefined;
  let settle: (threads: number) => void = () => {};
  const startedPromise = new Promise<number>((resolve) => (settle = resolve));
  let generation = 0;
  const threads: WorkerLike[] = [];
  const close = (why: string) => {
    if (failure !== undefined) return;
    failure = why;
    settle(1);
    Atomics.store(ctrl, CTRL.generation, -1);
    Atomics.notify(ctrl, CTRL.generation);
    for (const t of threads) t.terminate();
  };
  for (let w = 0; w < workers; w++) {
    let t: WorkerLike;
    try {
      t = o.spawn();
    } catch (err) {
      close(`could not start a scoring worker: ${String(err)}`);
      break;
    }
    threads.push(t);
    t.onmessage = (e) => {
      if (e.data === 'ready' && ++started === workers && failure === undefined) settle(workers + 1);
    };
    t.onerror = (e) => close(`a scoring worker failed: ${String((e as { message?: string })?.message ?? e)}`);
    const init: WorkerInit = {
      worker: w,
      range: ranges[w + 1],
      scorer: shared.scorer,
      prior: o.prior,
      ctrl,
      scores,
      input,
      exclude,
      boostIndices,
      boostValues,
      scoreWeight,
      resultIndex,
      resultScore,
    };
    t.postMessage(init);
  }

  return {
    threads: workers + 1,
    get ready() {
      return failure === undefined && started === workers;
    },
    get failure() {
      return failure;
    },
    started: startedPromise,
    recommend(theta, k, excludeSet, boosts) {
      if (failure !== undefined || started < workers) return undefined;
      const excludeCount = excludeSet?.size ?? 0;
      if (k > LIMITS.k || excludeCount > LIMITS.exclude || boosts.count > LIMITS.boosts) return undefined;
      shared.prepare(theta, input);
      ctrl[CTRL.k] = k;
      ctrl[CTRL.excludeCount] = excludeCount;
      if (excludeSet !== undefined) {
        let j = 0;
        for (const i of excludeSet) exclude[j++] = i;
      }
      ctrl[CTRL.boostCount] = boosts.count;
      for (let j = 0; j < boosts.count; j++) {
        boostIndices[j] = boosts.indices[j];
        boostValues[j] = boosts.values[j];
      }
      scoreWeight[0] = boosts.scoreWeight;
      const gen = ++generation;
      Atomics.store(ctrl, CTRL.generation, gen); // publishes every write above to the workers
      Atomics.notify(ctrl, CTRL.generation);

      const q: RangeQuery = { input, k, exclude: excludeSet, boosts };
      const lists: ScoredItem[][] = [scoreRange(shared.scorer, o.prior, q, scores, ...ranges[0])];
      const deadline = performance.now() + timeoutMs;
      for (let w = 0; w < workers; w++) {
        while (Atomics.load(ctrl, CTRL.doneBase + w) !== gen) {
          if (failure !== undefined || performance.now() > deadline) {
            close(failure ?? `a scoring worker did not answer within ${timeoutMs} ms`);
            break;
          }
        }
        if (failure !== undefined) {
          // Score the rest here, into memory no worker writes: this answer is whole, later ones single-threaded.
          const own = new Float32Array(o.numItems);
          for (let v = w; v < workers; v++)
            lists.push(scoreRange(shared.scorer, o.prior, q, own, ...ranges[v + 1]));
          break;
        }
        const n = ctrl[CTRL.countBase + w];
        const base = w * LIMITS.k;
        const list: ScoredItem[] = new Array(n);
        for (let r = 0; r < n; r++) list[r] = { index: resultIndex[base + r], score: resultScore[base + r] };
        lists.push(list);
      }
      return mergeTopK(lists, k);
    },
    dispose: () => close('disposed'),
  };
}
