// GPU top-k over the score buffer by radix select (kernels/topk-*.ts): the k-th largest 64-bit ranking key
// is found one 8-bit digit per pass (histogram → select), then the k items at or above it are gathered and
// sorted. Dispatches per query: 1 init + 2 per digit (4 score digits + ⌈log2 V / 8⌉ index digits) + gather
// + sort; the catalogue is read once per digit, with no sort over it. Buffers, pipelines and bind groups are
// made once; per call the engine writes k into the pass uniforms and records the dispatches.
import { grid, storageBuffer } from './gpu-util.ts';
import { dispatch, getKernel } from './kernel.ts';
import { TOPK_SCAN_WORKGROUP, topkHistogramKernel } from './kernels/topk-histogram.ts';
import { topkGatherKernel } from './kernels/topk-gather.ts';
import { STATE } from './kernels/topk-key.ts';
import { topkSelectKernel } from './kernels/topk-select.ts';
import { TOPK_MAX_K, topkTileKernel } from './kernels/topk-tile.ts';

/** Uniform slots are 256 bytes apart (WebGPU's default minUniformBufferOffsetAlignment). */
const SLOT = 256;

export interface GpuTopK {
  /** Records the selection of the k best of the scores; returns the buffer whose first k pairs are the answer, in order. */
  record(pass: GPUComputePassEncoder, k: number): GPUBuffer;
  readonly bytes: number;
  destroy(): void;
}

/** The digits the passes select, most significant first: 4 bytes of the score key, then the index bytes V needs. */
export function radixDigits(numItems: number): { word: 0 | 1; shift: number }[] {
  const digits: { word: 0 | 1; shift: number }[] = [24, 16, 8, 0].map((shift) => ({ word: 0, shift }));
  const indexBits = numItems > 1 ? Math.ceil(Math.log2(numItems)) : 0;
  for (let b = Math.ceil(indexBits / 8) - 1; b >= 0; b--) digits.push({ word: 1, shift: 8 * b });
  return digits;
}

/**
 * @param itemsPerLane items each invocation of the scan kernels reads: small on GPUs (parallelism), large on
 *   CPU adapters such as SwiftShader (fewer workgroups, each with a fixed cost).
 */
export async function createGpuTopK(
  device: GPUDevice,
  scores: GPUBuffer,
  numItems: number,
  itemsPerLane: number,
): Promise<GpuTopK> {
  const [histogram, select, gather, sort] = await Promise.all([
    getKernel(device, topkHistogramKernel({ numItems, itemsPerLane })),
    getKernel(device, topkSelectKernel()),
    getKernel(device, topkGatherKernel({ numItems, itemsPerLane })),
    getKernel(device, topkTileKernel()),
  ]);
  const digits = radixDigits(numItems);
  const state = storageBuffer(device, 'topk-state', STATE.words * 4);
  const hist = storageBuffer(device, 'topk-histogram', 256 * 4);
  const candidates = storageBuffer(device, 'topk-candidates', TOPK_MAX_K * 8);
  const result = storageBuffer(device, 'topk-result', TOPK_MAX_K * 8, GPUBufferUsage.COPY_SRC);
  // Slot 0: init; slots 1 … D: the digits; slot D + 1: the sort's {count, k}.
  const slots = digits.length + 2;
  const uniforms = device.createBuffer({
    label: 'topk-passes',
    size: SLOT * slots,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const slot = (s: number) => ({ buffer: uniforms, offset: s * SLOT, size: 16 });
  const initGroup = select.bind({ pass_: slot(0), state, hist }, 'topk-init');
  const histGroups = digits.map((_, d) =>
    histogram.bind({ pass_: slot(d + 1), scores, state, hist }, `topk-histogram/${d}`),
  );
  const selectGroups = digits.map((_, d) =>
    select.bind({ pass_: slot(d + 1), state, hist }, `topk-select/${d}`),
  );
  const gatherGroup = gather.bind({ scores, state, out: candidates });
  const sortGroup = sort.bind({ params: slot(slots - 1), pairs: candidates, result }, 'topk-sort');
  const data = new Uint32Array((SLOT / 4) * slots);
  digits.forEach(({ word, shift }, d) => data.set([word, shift, 0, 1], (d + 1) * (SLOT / 4)));
  const [gx, gy] = grid(Math.ceil(numItems / (TOPK_SCAN_WORKGROUP * itemsPerLane)));

  return {
    record(pass, k) {
      if (!(k >= 1 && k <= Math.min(TOPK_MAX_K, numItems)))
        throw new RangeError(`GPU top-k serves 1 ≤ k ≤ ${Math.min(TOPK_MAX_K, numItems)}, got ${k}`);
      data.set([0, 0, k, 0], 0);
      data.set([k, k], (slots - 1) * (SLOT / 4));
      device.queue.writeBuffer(uniforms, 0, data);
      dispatch(pass, select, initGroup, 1);
      digits.forEach((_, d) => {
        dispatch(pass, histogram, histGroups[d], gx, gy);
        dispatch(pass, select, selectGroups[d], 1);
      });
      dispatch(pass, gather, gatherGroup, gx, gy);
      dispatch(pass, sort, sortGroup, 1);
      return result;
    },
    bytes: state.size + hist.size + candidates.size + result.size + uniforms.size,
    destroy() {
      [state, hist, candidates, result, uniforms].forEach((b) => b.destroy());
    },
  };
}
