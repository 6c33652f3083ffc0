// A compositional item table with its codes frozen: e(i) = Σ_m C_m[code(i, m)] (docs/model.md, kind
// `compositional`), only the codebooks trained. What a trained student's bundle holds, made trainable
// again — for fine-tuning it (pipelines/new-item-tuning.ts) without the Gumbel-softmax codes' cost.
import * as tf from '@tensorflow/tfjs-core';
import { gatherRows } from './gather-rows.ts';
import type { ItemTable, ItemTableExport } from './item-table.ts';
import { uniqueVariableName } from './variable-name.ts';

export class FixedCodeItemTable implements ItemTable {
  readonly kind = 'compositional' as const;
  readonly numItems: number;
  readonly dim: number;
  readonly codebooks: tf.Variable<tf.Rank.R2>;
  /** [V × M] indices m · K + code(i, m) into the flattened codebooks. */
  private readonly rows: tf.Tensor2D;

  /** `codes`: [V × M] row-major, each < K; `codebooks`: [M × K × dim] initial values. */
  constructor(
    readonly M: number,
    readonly K: number,
    codes: ArrayLike<number>,
    codebooks: Float32Array,
  ) {
    if (codes.length % M !== 0) throw new RangeError(`${codes.length} codes is not a multiple of M = ${M}`);
    if (codebooks.length % (M * K) !== 0)
      throw new RangeError(`${codebooks.length} codebook values is not a multiple of M·K = ${M * K}`);
    this.numItems = codes.length / M;
    this.dim = codebooks.length / (M * K);
    const rows = new Int32Array(codes.length);
    for (let j = 0; j < codes.length; j++) {
      const code = codes[j]!;
      if (!Number.isInteger(code) || code < 0 || code >= K)
        throw new RangeError(`code ${code} of item ${Math.floor(j / M)} is outside [0, ${K})`);
      rows[j] = (j % M) * K + code;
    }
    this.rows = tf.tensor2d(rows, [this.numItems, M], 'int32');
    this.codebooks = tf.variable(
      tf.tensor2d(codebooks, [M * K, this.dim]),
      true,
      uniqueVariableName('codebooks'),
    );
  }

  embeddings(): tf.Tensor2D {
    return tf.sum(gatherRows(this.codebooks, this.rows), 1) as tf.Tensor2D; // [V, M, N] → [V, N]
  }

  variables(): tf.Variable[] {
    return [this.codebooks];
  }

  /** The codes as stored in a bundle (uint8 up to K = 256). */
  codes(): Int32Array {
    const rows = this.rows.dataSync() as Int32Array;
    return rows.map((r) => r % this.K);
  }

  exportTensors(): ItemTableExport {
    const codes = this.codes();
    const narrow = this.K <= 256;
    return {
      kind: 'compositional',
      hyper: { M: this.M, K: this.K },
      tensors: {
        codes: {
          dtype: narrow ? 'uint8' : 'uint16',
          shape: [this.numItems, this.M],
          data: narrow ? Uint8Array.from(codes) : Uint16Array.from(codes),
        },
        codebooks: {
          dtype: 'float32',
          shape: [this.M, this.K, this.dim],
          data: this.codebooks.dataSync() as Float32Array,
        },
      },
    };
  }

  dispose(): void {
    this.rows.dispose();
    this.codebooks.dispose();
  }
}
