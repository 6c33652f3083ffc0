// `sttd` item table on the GPU (OD-Rec's semi-tensor-product tensor train; docs/model.md "Semi-tensor
// train"): e(i)[j1·J2 + j2] = Σ_{r < R/t} g1[i1·J1 + j1, r·t + b] · g2[r, i2·(J2/t) + c], j2 = c·t + b,
// evaluated value by value inside the kernels (N · R/t multiply-adds per row, nothing stored).
import type { ModelBundle } from '../../../bundle/types.ts';
import { hyperList, sttdG1Shape, sttdG2Shape, sttdGeometry } from '../../tensor-train-geometry.ts';
import { requireHyperInt, requireTensor } from '../../tensors.ts';
import { uploadStorage } from '../gpu-util.ts';
import { createReconstructingScorer } from './reconstruct-scorer.ts';
import { tableBindings, type GpuItemTable } from './types.ts';

export function createSttdGpuTable(device: GPUDevice, bundle: ModelBundle): GpuItemTable {
  const hyper = bundle.manifest.hyper;
  const N = requireHyperInt(bundle, 'dim');
  const g = sttdGeometry(
    hyper.numItems,
    N,
    hyperList(bundle, 'sttdI'),
    hyperList(bundle, 'sttdJ'),
    requireHyperInt(bundle, 'sttdRank'),
    requireHyperInt(bundle, 'sttdT'),
  );
  const g1 = uploadStorage(device, 'sttd.g1', requireTensor(bundle, 'sttd.g1', ['float32'], sttdG1Shape(g)));
  const g2 = uploadStorage(device, 'sttd.g2', requireTensor(bundle, 'sttd.g2', ['float32'], sttdG2Shape(g)));
  const I2 = g.I[1];
  const [J1, J2] = g.J;
  const R = g.rank;
  const t = g.t;
  const g2Cols = (I2 * J2) / t;
  const bindings = tableBindings([
    { name: 'g1', type: 'f32' },
    { name: 'g2', type: 'f32' },
  ]);
  // One output value e(i)[n]; i1/i2 are computed once per row by the callers below.
  const valueFn = `
fn sttd_value(i1: u32, i2: u32, n: u32) -> f32 {
  let j1 = n / ${J2}u;
  let j2 = n % ${J2}u;
  let c = j2 / ${t}u;
  let b = j2 % ${t}u;
  let row = (i1 * ${J1}u + j1) * ${R}u + b;
  let col = i2 * ${J2 / t}u + c;
  var s = 0.0;
  for (var r = 0u; r < ${R / t}u; r++) { s += g1[row + r * ${t}u] * g2[r * ${g2Cols}u + col]; }
  return s;
}`;
  const rowWgsl = `${valueFn}
fn item_row(i: u32, dst: u32, lane: u32, lanes: u32) {
  let i1 = i / ${I2}u;
  let i2 = i % ${I2}u;
  for (var n = lane; n < ${N}u; n += lanes) { emit_row(dst, n, sttd_value(i1, i2, n)); }
}`;
  const scoreWgsl = `${valueFn}
fn item_score(i: u32) -> f32 {
  let i1 = i / ${I2}u;
  let i2 = i % ${I2}u;
  var acc = 0.0;
  for (var n = 0u; n < ${N}u; n++) { acc += theta[n] * sttd_value(i1, i2, n); }
  return acc;
}`;
  return {
    rowWgsl,
    rowBindings: bindings,
    rowBuffers: { g1, g2 },
    createScorer: (theta, scores) =>
      createReconstructingScorer(
        device,
        { kind: 'sttd', numItems: hyper.numItems, dim: N, scoreWgsl, bindings, buffers: { g1, g2 } },
        theta,
        scores,
      ),
    bytes: g1.size + g2.size,
    destroy() {
      g1.destroy();
      g2.destroy();
    },
  };
}
