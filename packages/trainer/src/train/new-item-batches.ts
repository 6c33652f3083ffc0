// Training for what the shop's strip shows. The strip calls recommend({ excludeSeen: true }): the session's
// own items are never shown, and the repeat head (fitted afterwards) ranks them for the protocol. So the
// item table and encoder are trained only on the positions whose next click is a NEW item, with the
// softmax over the items outside the session (RepeatNet's "explore" distribution), the same ranking the
// strip makes.
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from './batches.ts';
import { EXCLUDED_LOGIT } from './full-softmax.ts';

/** A batch cut to its new-item positions, with each position's seen items. */
export interface NewItemBatch extends Batch {
  /** Flat indices p · numItems + i of (position p, item i of its prefix): excluded from p's softmax. */
  exclude: Int32Array;
}

/**
 * The positions of `batch` whose target is not among the inputs up to and including that position (the
 * prefix the encoder saw), and those prefixes' items as exclusions; null when no position is left.
 */
export function newItemBatch(batch: Batch, numItems: number): NewItemBatch | null {
  const positions: number[] = [];
  const targets: number[] = [];
  const exclude: number[] = [];
  const seen = new Set<number>();
  for (let p = 0; p < batch.positions.length; p++) {
    const flat = batch.positions[p]!;
    const row = Math.floor(flat / batch.len) * batch.len;
    seen.clear();
    for (let j = row; j <= flat; j++) seen.add(batch.items[j]!);
    const target = batch.targets[p]!;
    if (seen.has(target)) continue;
    const q = positions.length;
    positions.push(flat);
    targets.push(target);
    for (const item of seen) exclude.push(q * numItems + item);
  }
  if (positions.length === 0) return null;
  return {
    batch: batch.batch,
    len: batch.len,
    items: batch.items,
    positions: Int32Array.from(positions),
    targets: Int32Array.from(targets),
    exclude: Int32Array.from(exclude),
  };
}

/** The [P, V] logit mask of a new-item batch: 0, and EXCLUDED_LOGIT at each position's seen items. */
export function exclusionMask(batch: NewItemBatch, numItems: number): tf.Tensor2D {
  const p = batch.positions.length;
  const values = new Float32Array(p * numItems);
  for (const flat of batch.exclude) values[flat] = EXCLUDED_LOGIT;
  return tf.tensor2d(values, [p, numItems]);
}

export function isNewItemBatch(batch: Batch): batch is NewItemBatch {
  return (batch as Partial<NewItemBatch>).exclude !== undefined;
}
