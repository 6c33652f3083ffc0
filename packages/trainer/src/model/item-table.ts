// The item table is the only part that differs between the teacher and the compressed students:
// the backbone (model/backbone.ts) embeds the session's items and scores all candidates through it.
import type * as tf from '@tensorflow/tfjs-core';
import type { DType, ModelHyper, ModelKind, TypedArray } from '@session-rec/sdk/bundle';

/** One tensor as it goes into a bundle (same shape as the values of `ModelBundle.tensors`). */
export interface ExportedTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/** What a table contributes to a bundle: its kind, its hyper fields (M, K, ttP, …) and its tensors (docs/model.md names). */
export interface ItemTableExport {
  kind: Exclude<ModelKind, 'popularity'>;
  hyper: Partial<ModelHyper>;
  tensors: Record<string, ExportedTensor>;
}

/**
 * An item embedding table e(i), 0 ≤ i < numItems, of width `dim`.
 *
 * Contract with the backbone, per training step:
 *  - `embeddings({training})` is called ONCE; the backbone gathers the session's input rows from it
 *    (tf.gather) and scores all items against it, so input and output share one sample (Gumbel codes,
 *    mixup, …) and one gradient path. Return [numItems, dim] row-major; the backbone's scorer keeps
 *    every large product on tfjs-wasm's fast A·B path itself (custom gradient), so do not transpose.
 *  - `auxLoss()` (optional) is added to the step's loss (e.g. L_mse to the teacher table); it may use
 *    state from the last `embeddings()` call of the same step.
 *  - `variables()` are all trainable variables the table owns (the optimizer updates exactly these + the backbone's),
 *    in a fixed order (checkpoints store weights by position); name them with `uniqueVariableName`
 *    (model/variable-name.ts) so a teacher and a student can live in one process.
 * Everything runs inside the caller's tf.tidy / optimizer.minimize; do not dispose the returned tensors.
 */
export interface ItemTable {
  readonly kind: ItemTableExport['kind'];
  readonly numItems: number;
  readonly dim: number;
  embeddings(options: { training: boolean }): tf.Tensor2D;
  auxLoss?(): tf.Scalar | null;
  /** Embedding-mixup weight η of the teacher table (Eq. 16), for tables trained by distillation. */
  mixup?: number;
  variables(): tf.Variable[];
  /** Trained variables that are not weights (code logits): left out of the L2 term. */
  unregularizedVariables?(): tf.Variable[];
  /** Reads the current weights into bundle tensors (float32; the exporter may narrow dtypes). */
  exportTensors(): ItemTableExport;
  dispose(): void;
}
