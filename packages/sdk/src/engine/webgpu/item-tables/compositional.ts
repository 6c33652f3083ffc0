// `compositional` item table on the GPU: e(i) = Σ_m codebooks[m, codes[i, m]] (EODRec Eq. 10), scored with
// LightRec's lookup table (codeword-table kernel, then lut-score kernel).
// Codes are packed for the GPU: 4 codes of 8 bits per u32 when K ≤ 256, else 2 of 16 bits, so that an item's
// M codes cost ⌈M/4⌉ loads and the code matrix keeps its on-disk size.
import type { ModelBundle } from '../../../bundle/types.ts';
import { requireHyperInt, requireTensor } from '../../tensors.ts';
import { grid, storageBuffer, uploadStorage } from '../gpu-util.ts';
import { dispatch, getKernel } from '../kernel.ts';
import { CODEWORD_TABLE_WORKGROUP, codewordTableKernel } from '../kernels/codeword-table.ts';
import { LUT_SCORE_WORKGROUP, lutScoreKernel } from '../kernels/lut-score.ts';
import { tableBindings, type GpuItemTable } from './types.ts';

/** Packs codes [V, M] into u32 words [V, ⌈M / (32 / bits)⌉], lowest code in the lowest bits. */
export function packCodes(codes: Uint8Array | Uint16Array, V: number, M: number, bits: 8 | 16): Uint32Array {
  const perWord = 32 / bits;
  const words = Math.ceil(M / perWord);
  const out = new Uint32Array(V * words);
  for (let i = 0; i < V; i++) {
    for (let m = 0; m < M; m++) {
      const w = i * words + Math.floor(m / perWord);
      out[w] = (out[w] | (codes[i * M + m] << ((m % perWord) * bits))) >>> 0;
    }
  }
  return out;
}

export function createCompositionalGpuTable(device: GPUDevice, bundle: ModelBundle): GpuItemTable {
  const V = bundle.manifest.hyper.numItems;
  const N = requireHyperInt(bundle, 'dim');
  const M = requireHyperInt(bundle, 'M');
  const K = requireHyperInt(bundle, 'K');
  const bits = K <= 256 ? 8 : 16;
  const rawCodes = requireTensor(bundle, 'codes', bits === 8 ? ['uint8'] : ['uint16'], [V, M]);
  const codes = uploadStorage(device, 'codes', packCodes(rawCodes, V, M, bits));
  const codebooks = uploadStorage(
    device,
    'codebooks',
    requireTensor(bundle, 'codebooks', ['float32'], [M, K, N]),
  );
  const table = storageBuffer(device, 'codeword-table', M * K * 4, GPUBufferUsage.STORAGE);
  const perWord = 32 / bits;
  const words = Math.ceil(M / perWord);
  const rowBindings = tableBindings([
    { name: 'codes', type: 'u32' },
    { name: 'codebooks', type: 'f32' },
  ]);
  const rowWgsl = `
fn item_row(i: u32, dst: u32, lane: u32, lanes: u32) {
  for (var n = lane; n < ${N}u; n += lanes) {
    var s = 0.0;
    for (var m = 0u; m < ${M}u; m++) {
      let code = (codes[i * ${words}u + m / ${perWord}u] >> ((m % ${perWord}u) * ${bits}u)) & ${bits === 8 ? '0xffu' : '0xffffu'};
      s += codebooks[(m * ${K}u + code) * ${N}u + n];
    }
    emit_row(dst, n, s);
  }
}`;
  return {
    rowWgsl,
    rowBindings,
    rowBuffers: { codes, codebooks },
    async createScorer(theta, scores) {
      const [codewordKernel, lutKernel] = await Promise.all([
        getKernel(device, codewordTableKernel({ dim: N, codewords: M * K })),
        getKernel(device, lutScoreKernel({ numItems: V, M, K, bitsPerCode: bits })),
      ]);
      const tableGroup = codewordKernel.bind({ theta, codebooks, table });
      const lutGroup = lutKernel.bind({ codes, table, scores });
      const tableWorkgroups = Math.ceil((M * K) / CODEWORD_TABLE_WORKGROUP);
      const [gx, gy] = grid(Math.ceil(V / LUT_SCORE_WORKGROUP));
      return (pass) => {
        dispatch(pass, codewordKernel, tableGroup, tableWorkgroups);
        dispatch(pass, lutKernel, lutGroup, gx, gy);
      };
    },
    bytes: codes.size + codebooks.size + table.size,
    destroy() {
      codes.destroy();
      codebooks.destroy();
      table.destroy();
    },
  };
}
