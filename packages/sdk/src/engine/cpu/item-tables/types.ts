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
}

/** Builds the item table of a bundle, checking its tensors (typed errors naming the tensor). */
export type ItemTableFactory = (bundle: ModelBundle) => ItemTable;
