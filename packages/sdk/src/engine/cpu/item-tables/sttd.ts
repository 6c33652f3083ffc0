// `sttd` kind (OD-Rec's semi-tensor-product tensor train, EODRec Eq. 4–8; docs/model.md "Semi-tensor
// train"): two cores, g1 [I1·J1, R] and g2 [R/t, I2·J2/t]. Item i = (i1, i2) = (⌊i/I2⌋, i mod I2) and
//   e(i)[j1·J2 + c·t + b] = Σ_{r < R/t} g1[i1·J1 + j1, r·t + b] · g2[r, i2·(J2/t) + c],
// i.e. the [J1, J2] matrix G1[i1] · (G2[i2] ⊗ I_t) read row-major. The table is never stored: rows are
// rebuilt on the device, N·R/t multiply-adds each.
import type { ModelBundle } from '../../../bundle/types.ts';
import { requireHyperInt, requireTensor } from '../../tensors.ts';
import {
  hyperList,
  sttdG1Shape,
  sttdG2Shape,
  sttdGeometry,
  type SttdGeometry,
} from '../../tensor-train-geometry.ts';
import { dotRow, materializedTable, type RowVisitor, type TensorTrainTableOptions } from './tt.ts';

// The geometry lives in engine/tensor-train-geometry.ts (shared with the WebGPU engine and the contract).
export {
  sttdG1Shape,
  sttdG2Shape,
  sttdGeometry,
  sttdParamCount,
  sttdReconstructionMacs,
  type SttdGeometry,
} from '../../tensor-train-geometry.ts';
import type { ItemTable } from './types.ts';

/** Builds the STTD item table over explicit cores (the factory below reads them from a bundle). */
export function createSttdTableFromCores(
  g: SttdGeometry,
  g1: Float32Array,
  g2: Float32Array,
  options: TensorTrainTableOptions = {},
): ItemTable {
  const [J1, J2] = g.J;
  const I2 = g.I[1];
  const { rank: R, t, dim } = g;
  const rHalf = R / t; // rows of g2
  const cols = J2 / t; // columns of G2[i2]
  const g2Width = I2 * cols;
  const row = new Float32Array(dim);
  // Copies in dot-product order so each output entry is one contiguous dot over r < R/t:
  //   a[(i1·J1 + j1)·t + b][r] = g1[i1·J1 + j1, r·t + b],   bT[i2·cols + c][r] = g2[r, i2·cols + c].
  const a = new Float32Array(g1.length);
  for (let row1 = 0; row1 < g.I[0] * J1; row1++) {
    for (let r = 0; r < rHalf; r++) {
      for (let b = 0; b < t; b++) a[(row1 * t + b) * rHalf + r] = g1[row1 * R + r * t + b];
    }
  }
  const bT = new Float32Array(g2.length);
  for (let r = 0; r < rHalf; r++) {
    for (let col = 0; col < g2Width; col++) bT[col * rHalf + r] = g2[r * g2Width + col];
  }

  const reconstruct = (index: number, out: Float32Array, offset: number) => {
    const i1 = Math.floor(index / I2);
    const i2 = index - i1 * I2;
    for (let j1 = 0; j1 < J1; j1++) {
      const outRow = offset + j1 * J2;
      for (let b = 0; b < t; b++) {
        const aBase = ((i1 * J1 + j1) * t + b) * rHalf;
        let c = 0;
        // Four outputs per pass share each a[…, r] load (each still sums r in order).
        for (; c + 4 <= cols; c += 4) {
          const b0 = (i2 * cols + c) * rHalf;
          const b1 = b0 + rHalf;
          const b2 = b1 + rHalf;
          const b3 = b2 + rHalf;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let r = 0; r < rHalf; r++) {
            const x = a[aBase + r];
            s0 += x * bT[b0 + r];
            s1 += x * bT[b1 + r];
            s2 += x * bT[b2 + r];
            s3 += x * bT[b3 + r];
          }
          out[outRow + c * t + b] = s0;
          out[outRow + (c + 1) * t + b] = s1;
          out[outRow + (c + 2) * t + b] = s2;
          out[outRow + (c + 3) * t + b] = s3;
        }
        for (; c < cols; c++) {
          const bBase = (i2 * cols + c) * rHalf;
          let s = 0;
          for (let r = 0; r < rHalf; r++) s += a[aBase + r] * bT[bBase + r];
          out[outRow + c * t + b] = s;
        }
      }
    }
  };

  const visitRows: RowVisitor = (visit) => {
    for (let i = 0; i < g.numItems; i++) {
      reconstruct(i, row, 0);
      visit(i, row);
    }
  };
  const rows = options.rows ?? 'cached';
  if (rows === 'materialized') return materializedTable(g.numItems, dim, visitRows);
  if (rows === 'cached') return materializedTable(g.numItems, dim, visitRows, { embedInto: reconstruct });
  return {
    numItems: g.numItems,
    dim,
    embedInto: reconstruct,
    scoreAll(theta, out) {
      for (let i = 0; i < g.numItems; i++) {
        reconstruct(i, row, 0);
        out[i] = dotRow(theta, row, 0, dim);
      }
    },
  };
}

/** The `sttd` entry of the CPU engine's item-table registry. */
export function createSttdTable(bundle: ModelBundle, options: TensorTrainTableOptions = {}): ItemTable {
  const hyper = bundle.manifest.hyper;
  const dim = requireHyperInt(bundle, 'dim');
  const g = sttdGeometry(
    hyper.numItems,
    dim,
    hyperList(bundle, 'sttdI'),
    hyperList(bundle, 'sttdJ'),
    requireHyperInt(bundle, 'sttdRank'),
    requireHyperInt(bundle, 'sttdT'),
  );
  const g1 = requireTensor(bundle, 'sttd.g1', ['float32'], sttdG1Shape(g));
  const g2 = requireTensor(bundle, 'sttd.g2', ['float32'], sttdG2Shape(g));
  return createSttdTableFromCores(g, g1, g2, options);
}
