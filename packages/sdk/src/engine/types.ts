// The interface every engine implements (cpu: plain TypeScript reference; webgpu: WGSL kernels).
// Engines work on internal item indices; mapping external ids ↔ indices is the recommender's job.
import type { ModelBundle } from '../bundle/types.ts';

export interface ScoredItem {
  /** Internal item index (0-based). */
  index: number;
  score: number;
}

export interface TopKOptions {
  k: number;
  /** Internal indices that must not be returned (e.g. items already in the session). */
  exclude?: ReadonlySet<number>;
}

export interface Engine {
  readonly name: 'cpu' | 'webgpu' | 'tfjs-webgpu';
  readonly bundle: ModelBundle;
  /**
   * Top-k items for a session (internal indices, oldest first, already cut to the model's maxLen).
   * An empty session returns the popularity order. Scores are θ·e(i) (popularity: training counts).
   */
  recommend(session: readonly number[], options: TopKOptions): Promise<ScoredItem[]>;
  /** Releases buffers (GPU memory, workers). The engine is unusable afterwards. */
  dispose(): void;
}

/** What the CPU engine adds for evaluation: every item's score, synchronously. */
export interface ScoringEngine extends Engine {
  /** Writes score_i for every item i into `out` (length V) and returns it. */
  scoreAll(session: readonly number[], out?: Float32Array): Float32Array;
}
