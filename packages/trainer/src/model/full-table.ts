// The teacher's item table: a plain [V, N] matrix X, row i = e(i) (docs/model.md, kind `full`).
import * as tf from '@tensorflow/tfjs-core';
import type { ItemTable, ItemTableExport } from './item-table.ts';
import { uniqueVariableName } from './variable-name.ts';

export class FullItemTable implements ItemTable {
  readonly kind = 'full' as const;
  readonly numItems: number;
  readonly dim: number;
  readonly items: tf.Variable<tf.Rank.R2>;

  /** `init`: the [V, N] values; default U(-0.1, 0.1) from `seed` (paper Sec. 6.1.3). */
  constructor(numItems: number, dim: number, options: { seed?: number; init?: Float32Array } = {}) {
    this.numItems = numItems;
    this.dim = dim;
    const values = options.init
      ? tf.tensor2d(options.init, [numItems, dim])
      : tf.randomUniform([numItems, dim], -0.1, 0.1, 'float32', options.seed ?? 1);
    this.items = tf.variable(values as tf.Tensor2D, true, uniqueVariableName('items'));
    values.dispose();
  }

  embeddings(): tf.Tensor2D {
    return this.items;
  }

  variables(): tf.Variable[] {
    return [this.items];
  }

  exportTensors(): ItemTableExport {
    return {
      kind: 'full',
      hyper: {},
      tensors: {
        items: {
          dtype: 'float32',
          shape: [this.numItems, this.dim],
          data: this.items.dataSync() as Float32Array,
        },
      },
    };
  }

  dispose(): void {
    this.items.dispose();
  }
}
