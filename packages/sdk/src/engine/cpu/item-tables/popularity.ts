// `popularity` kind: no embeddings; every item's score is its training count (docs/model.md).
import type { ModelBundle } from '../../../bundle/types.ts';
import { CpuEngineError } from '../../errors.ts';
import { requireTensor } from '../../tensors.ts';
import type { ItemTable } from './types.ts';

export function createPopularityTable(bundle: ModelBundle): ItemTable {
  const numItems = bundle.manifest.hyper.numItems;
  const counts = requireTensor(bundle, 'counts', ['float32'], [numItems]);
  return {
    numItems,
    dim: 0,
    embedInto() {
      throw new CpuEngineError('no-embedding', 'a popularity bundle has no item embeddings');
    },
    scoreAll(_theta, out) {
      out.set(counts);
    },
  };
}
