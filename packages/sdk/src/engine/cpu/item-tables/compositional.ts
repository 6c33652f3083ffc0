// `compositional` kind (EODRec Eq. 10): e(i) = Σ_m codebooks[m, codes[i, m]]. Scoring uses LightRec's
// lookup table — T[m][k] = θ·codebooks[m, k] once per query, then score_i = Σ_m T[m][codes[i, m]] — so the
// per-item cost is M table reads instead of an N-wide dot product (the table is never reconstructed).
import type { ModelBundle } from '../../../bundle/types.ts';
import { ModelTensorError } from '../errors.ts';
import { matVec } from '../linalg.ts';
import { requireHyperInt, requireTensor } from '../tensors.ts';
import type { ItemTable } from './types.ts';

export function createCompositionalTable(bundle: ModelBundle): ItemTable {
  const numItems = bundle.manifest.hyper.numItems;
  const dim = requireHyperInt(bundle, 'dim');
  const M = requireHyperInt(bundle, 'M');
  const K = requireHyperInt(bundle, 'K');
  const codes = requireTensor(bundle, 'codes', K <= 256 ? ['uint8'] : ['uint16'], [numItems, M]);
  const codebooks = requireTensor(bundle, 'codebooks', ['float32'], [M, K, dim]);
  // Code → flat LUT offset m·K + code, precomputed once: the scoring loop then does M loads and adds.
  const lutOffsets = new Uint32Array(numItems * M);
  for (let i = 0; i < numItems; i++) {
    for (let m = 0; m < M; m++) {
      const code = codes[i * M + m];
      if (code >= K) throw new ModelTensorError('codes', `codes[${i}, ${m}] = ${code} is not < K = ${K}`);
      lutOffsets[i * M + m] = m * K + code;
    }
  }
  // float64: the M-term sums then round once, like a dot product accumulated in double.
  const lut = new Float64Array(M * K);
  return {
    numItems,
    dim,
    embedInto(index, out, offset) {
      out.fill(0, offset, offset + dim);
      for (let m = 0; m < M; m++) {
        const row = lutOffsets[index * M + m] * dim;
        for (let d = 0; d < dim; d++) out[offset + d] += codebooks[row + d];
      }
    },
    scoreAll(theta, out) {
      // codebooks [M, K, N] is a row-major [M·K, N] matrix: the LUT is M·K dot products.
      matVec(codebooks, M * K, dim, theta, 0, lut, 0);
      scoreFromLut(lut, lutOffsets, numItems, M, out);
    },
  };
}

/** out[i] = Σ_m lut[offsets[i·M + m]], unrolled for the common small M. */
function scoreFromLut(
  lut: Float64Array,
  offsets: Uint32Array,
  numItems: number,
  M: number,
  out: Float32Array,
): void {
  switch (M) {
    case 1:
      for (let i = 0; i < numItems; i++) out[i] = lut[offsets[i]];
      return;
    case 2:
      for (let i = 0, o = 0; i < numItems; i++, o += 2) out[i] = lut[offsets[o]] + lut[offsets[o + 1]];
      return;
    case 3:
      for (let i = 0, o = 0; i < numItems; i++, o += 3)
        out[i] = lut[offsets[o]] + lut[offsets[o + 1]] + lut[offsets[o + 2]];
      return;
    case 4:
      for (let i = 0, o = 0; i < numItems; i++, o += 4) {
        out[i] = lut[offsets[o]] + lut[offsets[o + 1]] + lut[offsets[o + 2]] + lut[offsets[o + 3]];
      }
      return;
    default:
      for (let i = 0, o = 0; i < numItems; i++) {
        let s = 0;
        for (let m = 0; m < M; m++, o++) s += lut[offsets[o]];
        out[i] = s;
      }
  }
}
