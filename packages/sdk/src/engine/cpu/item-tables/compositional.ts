// `compositional` kind (EODRec Eq. 10): e(i) = Σ_m codebooks[m, codes[i, m]]. Scoring uses LightRec's
// lookup table — T[m][k] = θ·codebooks[m, k] once per query, then score_i = Σ_m T[m][codes[i, m]] — so the
// per-item cost is M table reads instead of an N-wide dot product (the table is never reconstructed).
// An item's codes are read as one packed 32-bit word where they fit (packCodeWords).
import type { ModelBundle } from '../../../bundle/types.ts';
import { ModelTensorError } from '../../errors.ts';
import { matVecPacked, packRows4 } from '../linalg.ts';
import { requireHyperInt, requireTensor } from '../../tensors.ts';
import type { ItemTable } from './types.ts';

export function createCompositionalTable(bundle: ModelBundle): ItemTable {
  const numItems = bundle.manifest.hyper.numItems;
  const dim = requireHyperInt(bundle, 'dim');
  const M = requireHyperInt(bundle, 'M');
  const K = requireHyperInt(bundle, 'K');
  const codes = requireTensor(bundle, 'codes', K <= 256 ? ['uint8'] : ['uint16'], [numItems, M]);
  const codebooks = requireTensor(bundle, 'codebooks', ['float32'], [M, K, dim]);
  for (let i = 0; i < numItems * M; i++) {
    if (codes[i] >= K)
      throw new ModelTensorError(
        'codes',
        `codes[${Math.floor(i / M)}, ${i % M}] = ${codes[i]} is not < K = ${K}`,
      );
  }
  // codebooks [M, K, N] is a row-major [M·K, N] matrix: the LUT is M·K dot products (packed for matVecPacked).
  const packedBooks = packRows4(codebooks, M * K, dim);
  // float64: the M-term sums then round once, like a dot product accumulated in double.
  const lut = new Float64Array(M * K);
  const words = packCodeWords(codes, numItems, M, K);
  return {
    numItems,
    dim,
    embedInto(index, out, offset) {
      out.fill(0, offset, offset + dim);
      for (let m = 0; m < M; m++) {
        const row = (m * K + codes[index * M + m]) * dim;
        for (let d = 0; d < dim; d++) out[offset + d] += codebooks[row + d];
      }
    },
    scoreAll(theta, out) {
      matVecPacked(packedBooks, M * K, dim, theta, 0, lut, 0);
      if (words !== undefined) scoreFromWords(lut, words, 0, numItems, M, K, out);
      else scoreFromCodes(lut, codes, numItems, M, K, out);
    },
    shareScoring:
      words === undefined
        ? undefined
        : (share) => {
            const shared = share.uint32(words.length);
            shared.set(words);
            return {
              scorer: { kind: 'code-words', words: shared, M, K },
              inputLength: M * K,
              prepare(theta, input) {
                matVecPacked(packedBooks, M * K, dim, theta, 0, input, 0);
              },
            };
          },
  };
}

/**
 * An item's M codes in one 32-bit word (code m in bits [m·b, (m+1)·b), b = 8 or 16) when they fit, so
 * the scoring loop reads one word per item instead of M code bytes (or M 32-bit offsets): 4 bytes per
 * item of memory traffic. undefined when M codes need more than 32 bits.
 */
function packCodeWords(
  codes: Uint8Array | Uint16Array,
  numItems: number,
  M: number,
  K: number,
): Uint32Array | undefined {
  const bits = K <= 256 ? 8 : 16;
  if (M * bits > 32) return undefined;
  const words = new Uint32Array(numItems);
  for (let i = 0; i < numItems; i++) {
    let w = 0;
    for (let m = 0; m < M; m++) w += codes[i * M + m] * 2 ** (m * bits);
    words[i] = w;
  }
  return words;
}

/**
 * out[i] = Σ_m lut[m·K + code_im] from code words for items start … end − 1, specialised per M (the loop
 * V8 runs V times a query); summed left to right from m = 0, as scoreFromCodes does, so both give the same
 * float32. Items are independent, so ranges scored apart (engine/cpu/parallel) give the same numbers.
 */
export function scoreFromWords(
  lut: Float64Array,
  words: Uint32Array,
  start: number,
  end: number,
  M: number,
  K: number,
  out: Float32Array,
): void {
  if (K <= 256) {
    const l1 = lut.subarray(K);
    const l2 = lut.subarray(2 * K);
    const l3 = lut.subarray(3 * K);
    switch (M) {
      case 1:
        for (let i = start; i < end; i++) out[i] = lut[words[i]];
        return;
      case 2:
        for (let i = start; i < end; i++) {
          const w = words[i];
          out[i] = lut[w & 255] + l1[w >>> 8];
        }
        return;
      case 3:
        for (let i = start; i < end; i++) {
          const w = words[i];
          out[i] = lut[w & 255] + l1[(w >>> 8) & 255] + l2[w >>> 16];
        }
        return;
      default:
        for (let i = start; i < end; i++) {
          const w = words[i];
          out[i] = lut[w & 255] + l1[(w >>> 8) & 255] + l2[(w >>> 16) & 255] + l3[w >>> 24];
        }
        return;
    }
  }
  const l1 = lut.subarray(K);
  if (M === 1) for (let i = start; i < end; i++) out[i] = lut[words[i]];
  else
    for (let i = start; i < end; i++) {
      const w = words[i];
      out[i] = lut[w & 65535] + l1[w >>> 16];
    }
}

/** out[i] = Σ_m lut[m·K + codes[i·M + m]]: any M (the word form covers M ≤ 4, or ≤ 2 for K > 256). */
function scoreFromCodes(
  lut: Float64Array,
  codes: Uint8Array | Uint16Array,
  numItems: number,
  M: number,
  K: number,
  out: Float32Array,
): void {
  for (let i = 0, o = 0; i < numItems; i++) {
    let s = 0;
    for (let m = 0; m < M; m++, o++) s += lut[m * K + codes[o]];
    out[i] = s;
  }
}
