// The item table of a compositional student with the teacher's table mixed back in (Eq. 16 applied at
// test time, as the paper's released code does): X' = η · X_teacher + (1 − η) · Σ_m E_m[code_v,m].
import type { ModelBundle } from '@session-rec/sdk/bundle';

type BundleLike = Pick<ModelBundle, 'manifest' | 'tensors' | 'itemIds'>;

function tensor(bundle: BundleLike, name: string): Float32Array | Uint8Array | Uint16Array {
  const t = bundle.tensors.get(name);
  if (!t) throw new TypeError(`${bundle.manifest.kind} bundle has no '${name}' tensor`);
  return t.data as Float32Array | Uint8Array | Uint16Array;
}

export function mixedItemTable(student: BundleLike, teacher: BundleLike, eta: number): Float32Array {
  if (!(eta >= 0 && eta <= 1)) throw new RangeError(`η must be in [0, 1], got ${eta}`);
  if (student.manifest.kind !== 'compositional')
    throw new TypeError(`student: expected a compositional bundle, got ${student.manifest.kind}`);
  if (teacher.manifest.kind !== 'full')
    throw new TypeError(`teacher: expected a full bundle, got ${teacher.manifest.kind}`);
  const { numItems, dim, M, K } = student.manifest.hyper;
  if (teacher.manifest.hyper.numItems !== numItems || teacher.manifest.hyper.dim !== dim) {
    throw new RangeError(
      `teacher has ${teacher.manifest.hyper.numItems} items × ${teacher.manifest.hyper.dim}, student ${numItems} × ${dim}`,
    );
  }
  // Same internal index must mean the same item, or the mix is meaningless.
  for (let i = 0; i < numItems; i++) {
    if (student.itemIds(i) !== teacher.itemIds(i))
      throw new RangeError(
        `vocabularies differ at index ${i}: ${student.itemIds(i)} vs ${teacher.itemIds(i)}`,
      );
  }
  const N = dim!;
  const codes = tensor(student, 'codes');
  const codebooks = tensor(student, 'codebooks');
  const table = tensor(teacher, 'items');
  const out = new Float32Array(numItems * N);
  for (let v = 0; v < numItems; v++) {
    const row = v * N;
    for (let d = 0; d < N; d++) out[row + d] = eta * table[row + d]!;
    for (let m = 0; m < M!; m++) {
      const base = (m * K! + codes[v * M! + m]!) * N;
      for (let d = 0; d < N; d++) out[row + d] += (1 - eta) * codebooks[base + d]!;
    }
  }
  return out;
}
