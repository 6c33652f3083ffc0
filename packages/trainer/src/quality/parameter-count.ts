// The paper's Eq.-11 parameter count: every stored number of the item table counts one (codes included),
// whatever its storage (float16, int8, bit-packed); the ratio is V·N over that count. Read from the
// manifest's shapes alone, so a bundle need not be decoded to be counted.
import { elementCount, type Manifest } from '@session-rec/sdk/bundle';

/** True for the tensors that make up the item table of any kind (docs/model.md). */
export function isItemTableTensor(name: string): boolean {
  return ['items', 'codes', 'codebooks'].includes(name) || name.startsWith('tt.') || name.startsWith('sttd.');
}

/** Parameters of the item table: the numbers of its tensors (0 for a `popularity` bundle). */
export function itemTableParameters(manifest: Pick<Manifest, 'tensors'>): number {
  let count = 0;
  for (const t of manifest.tensors) if (isItemTableTensor(t.name)) count += elementCount(t.shape);
  return count;
}

/**
 * Eq. 11 (and Eq. 8 for STTD): V·N / item-table parameters, optionally with `extra` parameters (a head's)
 * added to the denominator; undefined for a bundle without an item table (popularity).
 */
export function eq11Ratio(manifest: Pick<Manifest, 'tensors' | 'hyper'>, extra = 0): number | undefined {
  const table = itemTableParameters(manifest);
  const dim = manifest.hyper.dim;
  if (table === 0 || !dim) return undefined;
  return (manifest.hyper.numItems * dim) / (table + extra);
}
