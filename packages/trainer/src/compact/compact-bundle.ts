// A trained bundle stored smaller, same model: float16 weights, bit-packed codes, and optionally MGQE tail
// codes (kd/mgqe.ts). Measured on the shipped bundles (results/student/mgqe/): float16 everywhere halves
// them with P@10 unchanged to two decimals; MGQE trades a little new-item accuracy for code bytes.
import {
  bitsFor,
  tensorInputs,
  vocabularyInput,
  type EncodeBundleInput,
  type ModelBundle,
  type TensorInput,
} from '@session-rec/sdk/bundle';
import { hotColdSplit } from '../data/index.ts';
import { isItemTableTensor } from '../quality/parameter-count.ts';
import { restrictTailCodes, sortCodewordsByUse, type TailRestriction } from '../kd/mgqe.ts';

export const FLOAT16_CHOICES = ['none', 'codebooks', 'all'] as const;
export type Float16Choice = (typeof FLOAT16_CHOICES)[number];
/** int8 storage (symmetric per row, bundle format 6): none, the item table's float tensors, or every one. */
export const INT8_CHOICES = ['none', 'table', 'all'] as const;
export type Int8Choice = (typeof INT8_CHOICES)[number];

export interface CompactOptions {
  /** Which float32 tensors to store as float16: none, the codebooks only, or every one the contract allows. */
  float16: Float16Choice;
  /** Which float tensors to store as int8 (wins over float16 where both select a tensor). Default none. */
  int8?: Int8Choice;
  /** Compositional: codes at ⌈log2 K⌉ bits (lossless; nothing to gain at K = 256). */
  packCodes: boolean;
  /** Compositional: MGQE — items outside the `headFraction` most clicked use only the first `tailK` codewords. */
  mgqe?: { tailK: number; headFraction: number; itemCounts: ArrayLike<number> };
}

export interface MgqeReport extends TailRestriction {
  tailK: number;
  headFraction: number;
  headItems: number;
}

// The contract keeps these float32 (docs/model.md): the head's few floats, the popularity counts.
const STAYS_FLOAT32 = /^(repeat|prior)\.|^counts$/;

/**
 * The encodeBundle input of `bundle` compacted as `opts` asks, and what MGQE did. MGQE rewrites the bundle's
 * codes and codebooks in place (read it again for the original).
 */
export function compactBundleInput(
  bundle: ModelBundle,
  opts: CompactOptions,
): { input: EncodeBundleInput; mgqe?: MgqeReport } {
  const { manifest } = bundle;
  if (opts.mgqe && manifest.kind !== 'compositional')
    throw new TypeError(`MGQE needs a compositional bundle, not ${manifest.kind}`);
  if (opts.mgqe && !opts.packCodes)
    throw new RangeError('MGQE saves bytes only in packed codes: it needs packCodes');
  const mgqe = opts.mgqe && restrictTail(bundle, opts.mgqe);
  const tensors: TensorInput[] = tensorInputs(bundle).map((t) => {
    const float = (t.dtype === 'float32' || t.dtype === 'float16') && !STAYS_FLOAT32.test(t.name);
    const int8 = float && (opts.int8 === 'all' || (opts.int8 === 'table' && isItemTableTensor(t.name)));
    const half =
      t.dtype === 'float32' &&
      !int8 &&
      !STAYS_FLOAT32.test(t.name) &&
      (opts.float16 === 'all' || (opts.float16 === 'codebooks' && t.name === 'codebooks'));
    const plain: TensorInput = {
      name: t.name,
      dtype: int8 ? 'int8' : half ? 'float16' : t.dtype,
      shape: t.shape,
      data: t.data,
    };
    if (t.name !== 'codes' || !opts.packCodes) return plain;
    const bits = bitsFor(Number(manifest.hyper.K));
    // Row packing from MGQE now, or kept from a bundle compacted before (lossless either way).
    const narrowBits = mgqe ? bitsFor(mgqe.tailK) : t.narrowBits;
    if (narrowBits !== undefined) return { ...plain, bits, narrowBits };
    // Plain packing only where it saves something (K = 256 already fills a uint8).
    return bits < 8 * t.data.BYTES_PER_ELEMENT ? { ...plain, bits } : plain;
  });
  return {
    input: {
      kind: manifest.kind,
      hyper: manifest.hyper,
      vocabulary: vocabularyInput(bundle),
      tensors,
      ...(manifest.info ? { info: manifest.info } : {}),
    },
    ...(mgqe ? { mgqe } : {}),
  };
}

/** MGQE on the bundle's own codes and codebooks (in place). */
function restrictTail(bundle: ModelBundle, m: NonNullable<CompactOptions['mgqe']>): MgqeReport {
  const { numItems: V, M, K, dim } = bundle.manifest.hyper as Required<ModelBundle['manifest']['hyper']>;
  const { tailK, headFraction, itemCounts } = m;
  if (!Number.isInteger(tailK) || tailK < 1 || tailK >= K || 2 ** bitsFor(tailK) !== tailK)
    throw new RangeError(`MGQE: K_tail must be a power of two below K = ${K}, got ${tailK}`);
  if (itemCounts.length !== V) throw new RangeError(`MGQE: ${itemCounts.length} item counts for ${V} items`);
  const isTail = hotColdSplit(itemCounts, headFraction).map((head) => 1 - head);
  const table = {
    numItems: V,
    M,
    K,
    dim,
    codes: bundle.tensors.get('codes')!.data as Uint8Array | Uint16Array,
    codebooks: bundle.tensors.get('codebooks')!.data as Float32Array,
  };
  sortCodewordsByUse(table, (i) => isTail[i] === 1);
  const report = restrictTailCodes(table, isTail, tailK);
  return { tailK, headFraction, headItems: V - report.tailItems, ...report };
}
