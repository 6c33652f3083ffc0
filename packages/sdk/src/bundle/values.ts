// Value checks on decoded tensors: what engines index with must be in range, and weights must be finite,
// so that a corrupt bundle fails here with a precise error instead of producing garbage scores later.
import { BundleValueError } from './errors.ts';
import { POPULARITY_PRIOR_TENSOR, type Manifest, type ModelBundle } from './types.ts';

function fail(manifest: Manifest, tensor: string, position: number, message: string): never {
  const file = manifest.tensors.find((t) => t.name === tensor)?.file;
  throw new BundleValueError(`tensor '${tensor}': ${message}`, {
    tensor,
    position,
    ...(file ? { file } : {}),
  });
}

export function checkTensorValues(manifest: Manifest, tensors: ModelBundle['tensors']): void {
  const V = manifest.hyper.numItems;
  for (const [name, t] of tensors) {
    if (t.data instanceof Float32Array) {
      const data = t.data;
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i]))
          fail(manifest, name, i, `value ${data[i]} at position ${i} is not finite`);
      }
    }
  }

  const popularity = tensors.get('popularity')!.data;
  const seen = new Uint8Array(V);
  for (let i = 0; i < popularity.length; i++) {
    const item = popularity[i];
    if (item >= V) fail(manifest, 'popularity', i, `item index ${item} at position ${i} is ≥ numItems ${V}`);
    if (seen[item]) fail(manifest, 'popularity', i, `item index ${item} at position ${i} appears twice`);
    seen[item] = 1;
  }

  const prior = tensors.get(POPULARITY_PRIOR_TENSOR)?.data;
  if (prior !== undefined) {
    // [weight, depth]: the depth counts entries of the popularity order, so it must be one of its lengths.
    const depth = prior[1];
    if (!Number.isInteger(depth) || depth < 1 || depth > popularity.length) {
      fail(
        manifest,
        POPULARITY_PRIOR_TENSOR,
        1,
        `depth ${depth} is not an integer between 1 and the popularity order's length ${popularity.length}`,
      );
    }
  }

  if (manifest.kind === 'popularity') {
    const counts = tensors.get('counts')!.data;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] < 0) fail(manifest, 'counts', i, `count ${counts[i]} of item ${i} is negative`);
    }
  }

  if (manifest.kind === 'compositional') {
    const K = manifest.hyper.K!;
    const M = manifest.hyper.M!;
    const codes = tensors.get('codes')!.data;
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] >= K) {
        const item = Math.floor(i / M);
        fail(
          manifest,
          'codes',
          i,
          `code ${codes[i]} of item ${item}, codebook ${i % M} (position ${i}) is ≥ K = ${K}`,
        );
      }
    }
  }
}
