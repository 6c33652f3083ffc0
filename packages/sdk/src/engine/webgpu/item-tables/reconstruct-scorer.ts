// Scoring by reconstruction (full, tt, sttd): one item-score dispatch whose `item_score(i)` comes from the
// item table. Shared here so that every such kind builds its scorer the same way.
import { grid } from '../gpu-util.ts';
import { dispatch, getKernel, type BindingDecl } from '../kernel.ts';
import { ITEM_SCORE_WORKGROUP, itemScoreKernel } from '../kernels/item-score.ts';

export async function createReconstructingScorer(
  device: GPUDevice,
  o: {
    kind: string;
    numItems: number;
    dim: number;
    scoreWgsl: string;
    bindings: readonly BindingDecl[];
    buffers: Readonly<Record<string, GPUBuffer>>;
  },
  theta: GPUBuffer,
  scores: GPUBuffer,
): Promise<(pass: GPUComputePassEncoder) => void> {
  const kernel = await getKernel(
    device,
    itemScoreKernel({ numItems: o.numItems, dim: o.dim, itemScore: o.scoreWgsl, table: o.bindings }),
  );
  const group = kernel.bind({ theta, scores, ...o.buffers }, `item-score/${o.kind}`);
  const [gx, gy] = grid(Math.ceil(o.numItems / ITEM_SCORE_WORKGROUP));
  return (pass) => dispatch(pass, kernel, group, gx, gy);
}
