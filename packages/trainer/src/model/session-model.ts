// Backbone + any item table = one session recommender (the teacher with a FullItemTable, a student
// with a compressed one). Computes θ for the loss positions of a batch in one causal pass.
import * as tf from '@tensorflow/tfjs-core';
import { Backbone, type BackboneHyper } from './backbone.ts';
import { gatherRows } from './gather-rows.ts';
import type { ItemTable } from './item-table.ts';

/** A padded batch: items int32 [batch * len] (row-major [batch, len]); positions = flat b * len + t. */
export interface PositionBatch {
  batch: number;
  len: number;
  items: Int32Array;
  positions: Int32Array;
}

export class SessionModel {
  constructor(
    readonly backbone: Backbone,
    readonly table: ItemTable,
  ) {
    if (backbone.hyper.dim !== table.dim)
      throw new RangeError(`backbone dim ${backbone.hyper.dim} ≠ item table dim ${table.dim}`);
  }

  get hyper(): BackboneHyper {
    return this.backbone.hyper;
  }

  variables(): tf.Variable[] {
    return [...this.backbone.variables(), ...this.table.variables()];
  }

  /** θ [P, N] at the batch's positions, and the item table [V, N] of this pass (shared by input and scoring). */
  thetaAt(
    batch: PositionBatch,
    training: boolean,
    dropoutSeed = 0,
  ): { theta: tf.Tensor2D; table: tf.Tensor2D } {
    const table = this.table.embeddings({ training });
    const items = tf.tensor2d(batch.items, [batch.batch, batch.len], 'int32');
    const x = this.backbone.encode(items, table, training, dropoutSeed);
    const thetaAll = this.backbone.readoutAllPrefixes(x);
    const flat = tf.reshape(thetaAll, [batch.batch * batch.len, this.hyper.dim]) as tf.Tensor2D;
    const theta = gatherRows(flat, tf.tensor1d(batch.positions, 'int32')) as tf.Tensor2D;
    return { theta, table };
  }

  dispose(): void {
    this.backbone.dispose();
    this.table.dispose();
  }
}
