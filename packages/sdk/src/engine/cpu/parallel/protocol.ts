// The shared memory between the engine's thread and its scoring workers (score-pool.ts ↔ score-worker.ts).
// No messages per query: the engine writes the query into shared arrays, bumps `generation` and wakes the
// workers (Atomics.notify); each worker scores its range, writes its top k and stores the generation it
// served. The engine scores its own range meanwhile, then waits for theirs (a spin: a page's main thread
// may not Atomics.wait).
import type { PriorTerms } from '../../popularity-prior.ts';
import type { RangeScorer } from '../item-tables/types.ts';

/** Slots of the Int32 control array. */
export const CTRL = {
  /** Query counter; −1 tells the workers to stop. */
  generation: 0,
  k: 1,
  excludeCount: 2,
  boostCount: 3,
  /** Worker w stores the generation it finished at doneBase + w, its result count at countBase + w. */
  doneBase: 8,
  countBase: 24,
  length: 40,
} as const;

/** Largest k, exclude list and repeat-head list a parallel query carries (larger ones run on one thread). */
export const LIMITS = { k: 1024, exclude: 4096, boosts: 1024, workers: 15 } as const;

/** What a worker gets once, in its first (and only) message. */
export interface WorkerInit {
  worker: number;
  range: [number, number];
  scorer: RangeScorer;
  prior: PriorTerms | undefined;
  ctrl: Int32Array;
  scores: Float32Array;
  input: Float64Array;
  exclude: Int32Array;
  boostIndices: Int32Array;
  boostValues: Float32Array;
  /** Float64 [0]: the repeat head's scoreWeight (float32). */
  scoreWeight: Float64Array;
  resultIndex: Int32Array;
  resultScore: Float64Array;
}
