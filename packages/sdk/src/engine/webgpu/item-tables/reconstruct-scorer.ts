// Scoring by reconstruction (full, tt, sttd): one item-score dispatch whose `item_score(i)` comes from the
// item table. Shared here so that every such kind builds its scorer the same way.
import { bindGroup, createKernel, grid } from '../gpu-util.ts';
import { ITEM_SCORE_WORKGROUP, itemScoreWgsl } from '../kernels/item-score.ts';
import { TABLE_BINDING_BASE } from './types.ts';

export async function createReconstructingScorer(
  device: GPUDevice,
  o: { kind: string; numItems: number; dim: number; scoreWgsl: string; buffers: readonly GPUBuffer[] },
  theta: GPUBuffer,
  scores: GPUBuffer,
): Promise<(pass: GPUComputePassEncoder) => void> {
  const pipeline = await createKernel(
    device,
    `item-score/${o.kind}`,
    itemScoreWgsl({ numItems: o.numItems, dim: o.dim, itemScore: o.scoreWgsl }),
  );
  const bindings: GPUBuffer[] = [theta, scores];
  o.buffers.forEach((b, k) => (bindings[TABLE_BINDING_BASE + k] = b));
  const group = bindGroup(device, pipeline, bindings, `item-score/${o.kind}`);
  const [gx, gy] = grid(Math.ceil(o.numItems / ITEM_SCORE_WORKGROUP));
  return (pass) => {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(gx, gy);
  };
}
