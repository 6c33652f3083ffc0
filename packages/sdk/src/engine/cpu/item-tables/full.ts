// `full` kind: an explicit item table `items` [V, N], row-major. Scoring is V dot products of length N.
import type { ModelBundle } from '../../../bundle/types.ts';
import { matVecPacked, multiMatVec, packRows4 } from '../linalg.ts';
import { requireHyperInt, requireTensor } from '../../tensors.ts';
import type { ItemTable } from './types.ts';

export function createFullTable(bundle: ModelBundle): ItemTable {
  const numItems = bundle.manifest.hyper.numItems;
  const dim = requireHyperInt(bundle, 'dim');
  const items = requireTensor(bundle, 'items', ['float32'], [numItems, dim]);
  let packed: Float32Array | undefined;
  return {
    numItems,
    dim,
    embedInto(index, out, offset) {
      out.set(items.subarray(index * dim, index * dim + dim), offset);
    },
    // Packed once, at the first query: 1.46× faster than matVec over the stored rows (V = 36,968,
    // N = 256), the same sums row for row; the copy costs V·N floats of memory.
    scoreAll(theta, out) {
      packed ??= packRows4(items, numItems, dim);
      matVecPacked(packed, numItems, dim, theta, 0, out, 0);
    },
    scoreMany(thetas, count, out) {
      multiMatVec(items, numItems, dim, thetas, count, out);
    },
    // Threads score packed rows: the same sums as matVec row for row (matVecPacked), one shared copy.
    shareScoring(share) {
      const shared = share.float32(numItems * dim);
      shared.set(packed ?? packRows4(items, numItems, dim));
      packed = shared; // the main thread's scoreAll reads the shared copy too
      return {
        scorer: { kind: 'packed-rows', packed: shared, count: numItems, dim },
        inputLength: dim,
        prepare(theta, input) {
          input.set(theta);
        },
      };
    },
  };
}
