// `full` kind: an explicit item table `items` [V, N], row-major. Scoring is V dot products of length N.
import type { ModelBundle } from '../../../bundle/types.ts';
import { matVec, multiMatVec } from '../linalg.ts';
import { requireHyperInt, requireTensor } from '../tensors.ts';
import type { ItemTable } from './types.ts';

export function createFullTable(bundle: ModelBundle): ItemTable {
  const numItems = bundle.manifest.hyper.numItems;
  const dim = requireHyperInt(bundle, 'dim');
  const items = requireTensor(bundle, 'items', ['float32'], [numItems, dim]);
  return {
    numItems,
    dim,
    embedInto(index, out, offset) {
      out.set(items.subarray(index * dim, index * dim + dim), offset);
    },
    scoreAll(theta, out) {
      matVec(items, numItems, dim, theta, 0, out, 0);
    },
    scoreMany(thetas, count, out) {
      multiMatVec(items, numItems, dim, thetas, count, out);
    },
  };
}
