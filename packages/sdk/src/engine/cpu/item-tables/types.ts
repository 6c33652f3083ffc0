// What the CPU engine needs from an item table (docs/model.md "Item table"): the embedding e(i) of a
// session item, and θ·e(i) for every item. One module per bundle kind implements it.
import type { ModelBundle } from '../../../bundle/types.ts';

export interface ItemTable {
  /** V: number of items (internal indices 0 … V−1). */
  readonly numItems: number;
  /** N: embedding width; 0 when the kind has no embeddings (popularity). */
  readonly dim: number;
  /** Writes e(index) into out[offset … offset + dim). */
  embedInto(index: number, out: Float32Array, offset: number): void;
  /** Writes score_i = θ·e(i) for every item i into out[0 … V) (popularity: the training counts; θ unused). */
  scoreAll(theta: Float32Array, out: Float32Array): void;
  /**
   * Optional batch form: out[b·V + i] = θ_b·e(i) for `count` vectors thetas[b·dim …]. Worth providing
   * when one pass over the table for several queries is cheaper than `count` passes (e.g. `full`).
   */
  scoreMany?(thetas: Float32Array, count: number, out: Float32Array): void;
  /**
   * Optional: the table's scoring as a RangeScorer over shared memory, so that several threads can score
   * ranges of items (engine/cpu/parallel). `prepare` turns θ into the per-query input the scorer reads.
   */
  shareScoring?(share: SharedAllocator): SharedScoring;
}

/** Typed arrays over SharedArrayBuffers (what a scoring worker can see without a copy). */
export interface SharedAllocator {
  uint32(length: number): Uint32Array;
  float32(length: number): Float32Array;
}

/**
 * What a thread needs to score items start … end − 1, given the query's input:
 * - `code-words`: compositional codes packed in words; input = the lookup table T[m·K + k] (M·K).
 * - `packed-rows`: a packRows4 matrix [count, dim]; input = θ (dim).
 */
export type RangeScorer =
  | { kind: 'code-words'; words: Uint32Array; M: number; K: number }
  | {
      kind: 'packed-rows';
      packed: Float32Array;
      count: number;
      dim: number;
      /** The last count mod 4 rows summed with one accumulator in index order (tt/sttd's dotRow), not dot(). */
      orderedTail?: boolean;
    };

export interface SharedScoring {
  scorer: RangeScorer;
  /** Length of the per-query input. */
  inputLength: number;
  /** Writes the per-query input for θ into input[0 … inputLength). */
  prepare(theta: Float32Array, input: Float64Array): void;
}

/** Builds the item table of a bundle, checking its tensors (typed errors naming the tensor). */
export type ItemTableFactory = (bundle: ModelBundle) => ItemTable;
