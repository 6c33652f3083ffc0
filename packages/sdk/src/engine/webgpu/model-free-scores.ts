// Rankings that need no model, with the CPU engine's scores (engine/cpu/engine.ts): an empty session ranks
// the bundle's popularity order (score P − rank, unlisted items 0); a `popularity` bundle ranks its counts.
// The GPU engines rank these on the CPU: one O(V) pass, no point in a GPU round trip.
import type { ModelBundle } from '../../bundle/types.ts';
import { requireTensor } from '../tensors.ts';

/** Returns a getter that builds the scores on first use and then reuses them. */
export function modelFreeScores(bundle: ModelBundle): () => Float32Array {
  let cached: Float32Array | undefined;
  return () => {
    if (cached !== undefined) return cached;
    const V = bundle.manifest.hyper.numItems;
    if (bundle.manifest.kind === 'popularity') {
      cached = requireTensor(bundle, 'counts', ['float32'], [V]);
    } else {
      const order = requireTensor(bundle, 'popularity', ['uint32'], [-1]);
      cached = new Float32Array(V);
      for (let r = 0; r < order.length; r++) cached[order[r]] = order.length - r;
    }
    return cached;
  };
}
