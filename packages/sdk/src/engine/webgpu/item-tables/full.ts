// `full` item table on the GPU: the [V, N] matrix as stored; e(i) is row i, score_i = θ · row i.
import type { ModelBundle } from '../../../bundle/types.ts';
import { requireHyperInt, requireTensor } from '../../tensors.ts';
import { uploadStorage } from '../gpu-util.ts';
import { createReconstructingScorer } from './reconstruct-scorer.ts';
import { tableBindings, type GpuItemTable } from './types.ts';

export function createFullGpuTable(device: GPUDevice, bundle: ModelBundle): GpuItemTable {
  const V = bundle.manifest.hyper.numItems;
  const N = requireHyperInt(bundle, 'dim');
  const items = uploadStorage(device, 'items', requireTensor(bundle, 'items', ['float32'], [V, N]));
  const bindings = tableBindings([{ name: 'items', type: 'f32' }]);
  const rowWgsl = `
fn item_row(i: u32, dst: u32, lane: u32, lanes: u32) {
  for (var n = lane; n < ${N}u; n += lanes) { emit_row(dst, n, items[i * ${N}u + n]); }
}`;
  const scoreWgsl = `
fn item_score(i: u32) -> f32 {
  let base = i * ${N}u;
  var s = 0.0;
  for (var n = 0u; n < ${N}u; n++) { s += theta[n] * items[base + n]; }
  return s;
}`;
  return {
    rowWgsl,
    rowBindings: bindings,
    rowBuffers: { items },
    createScorer: (theta, scores) =>
      createReconstructingScorer(
        device,
        { kind: 'full', numItems: V, dim: N, scoreWgsl, bindings, buffers: { items } },
        theta,
        scores,
      ),
    bytes: items.size,
    destroy: () => items.destroy(),
  };
}
