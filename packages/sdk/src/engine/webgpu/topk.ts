// GPU top-k over a score buffer: rounds of the topk-tile kernel (kernels/topk-tile.ts) ping-pong between two
// candidate buffers until one tile is left. Buffers, pipelines and bind groups are made once; per call the
// engine writes the rounds' {count, k} and records the dispatches.
import { bindGroup, createKernel, grid, storageBuffer } from './gpu-util.ts';
import { TOPK_MAX_K, TOPK_TILE, topkTileWgsl } from './kernels/topk-tile.ts';

/** Uniform slots are 256 bytes apart (WebGPU's default minUniformBufferOffsetAlignment). */
const SLOT = 256;
/** Enough rounds for k = 512 over 2^32 items (each round at least halves the candidates). */
const MAX_ROUNDS = 24;

export interface GpuTopK {
  /** Records the rounds for the k best of `numItems` scores; returns the buffer whose first k pairs are the answer. */
  record(pass: GPUComputePassEncoder, k: number): GPUBuffer;
  readonly bytes: number;
  destroy(): void;
}

/** Candidate counts entering each round: numItems, then tiles · k, … until one tile. */
export function topkRounds(numItems: number, k: number): { count: number; tiles: number }[] {
  const rounds: { count: number; tiles: number }[] = [];
  let count = numItems;
  for (;;) {
    const tiles = Math.ceil(count / TOPK_TILE);
    rounds.push({ count, tiles });
    if (tiles === 1) return rounds;
    count = tiles * k;
  }
}

export async function createGpuTopK(
  device: GPUDevice,
  scores: GPUBuffer,
  numItems: number,
): Promise<GpuTopK> {
  const [first, next] = await Promise.all([
    createKernel(device, 'topk-tile/first', topkTileWgsl({ firstRound: true })),
    createKernel(device, 'topk-tile/next', topkTileWgsl({ firstRound: false })),
  ]);
  const pairBytes = Math.max(Math.ceil(numItems / TOPK_TILE), 1) * TOPK_MAX_K * 8;
  const cand = [
    storageBuffer(device, 'topk-a', pairBytes, GPUBufferUsage.COPY_SRC),
    storageBuffer(device, 'topk-b', pairBytes, GPUBufferUsage.COPY_SRC),
  ];
  const params = device.createBuffer({
    label: 'topk-params',
    size: SLOT * MAX_ROUNDS,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const slot = (r: number) => ({ buffer: params, offset: r * SLOT, size: 16 });
  // Round r writes cand[r % 2]; round 0 reads the scores, round r > 0 reads cand[(r − 1) % 2].
  const groups = Array.from({ length: MAX_ROUNDS }, (_, r) =>
    r === 0
      ? bindGroup(device, first, [slot(0), scores, cand[0]], 'topk/0')
      : bindGroup(device, next, [slot(r), cand[(r - 1) % 2], cand[r % 2]], `topk/${r}`),
  );
  const paramData = new Uint32Array((SLOT / 4) * MAX_ROUNDS);

  return {
    record(pass, k) {
      if (!(k >= 1 && k <= TOPK_MAX_K))
        throw new RangeError(`GPU top-k serves 1 ≤ k ≤ ${TOPK_MAX_K}, got ${k}`);
      const rounds = topkRounds(numItems, k);
      rounds.forEach(({ count }, r) => {
        paramData[r * (SLOT / 4)] = count;
        paramData[r * (SLOT / 4) + 1] = k;
      });
      device.queue.writeBuffer(params, 0, paramData, 0, rounds.length * (SLOT / 4));
      rounds.forEach(({ tiles }, r) => {
        pass.setPipeline(r === 0 ? first : next);
        pass.setBindGroup(0, groups[r]);
        const [gx, gy] = grid(tiles);
        pass.dispatchWorkgroups(gx, gy);
      });
      return cand[(rounds.length - 1) % 2];
    },
    bytes: cand[0].size + cand[1].size + params.size,
    destroy() {
      cand.forEach((b) => b.destroy());
      params.destroy();
    },
  };
}
