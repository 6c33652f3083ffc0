// Beyond the paper: the same compositional bundle stored smaller — float16 codebooks (or every float
// tensor), bit-packed codes, MGQE tail codes — to measure with `pnpm eval` the accuracy cost and the
// bytes saved.
// Usage: tsx packages/trainer/src/kd/experiments/bundle-variant.ts <bundle dir> <out dir>
//          [--float16 codebooks|all] [--pack-codes] [--mgqe <K_tail> --dataset <dir> [--head-fraction 0.1]]
//   --float16 codebooks: the codebooks as float16 (the codec rounds to nearest even); all: encoder weights too.
//   --pack-codes: the code matrix at ⌈log2 K⌉ bits per code (lossless; bundle format version 2).
//   --mgqe K_tail: items outside the most frequent --head-fraction of the dataset's training clicks may use
//     only the first K_tail codewords of each codebook (kd/mgqe.ts); their codes are stored at log2 K_tail
//     bits (row packing, bundle format version 5). Lossy: re-evaluate.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { bitsFor, encodeBundle, vocabularyInput, type TensorInput } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { codeBits } from '../../train/export-bundle.ts';
import { hotColdSplit, popularityCounts } from '../../data/popularity.ts';
import { readSessionData } from '../../train/sessions.ts';
import { restrictTailCodes, sortCodewordsByUse, type TailRestriction } from '../mgqe.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    float16: { type: 'string' },
    'pack-codes': { type: 'boolean', default: false },
    mgqe: { type: 'string' },
    dataset: { type: 'string' },
    'head-fraction': { type: 'string', default: '0.1' },
  },
});
const [src, out] = positionals;
if (!src || !out)
  throw new Error(
    'usage: bundle-variant.ts <compositional bundle dir> <out dir> [--float16 codebooks|all] [--pack-codes] [--mgqe K_tail --dataset dir]',
  );
const float16 = values.float16;
if (float16 !== undefined && float16 !== 'codebooks' && float16 !== 'all')
  throw new RangeError(`--float16: expected codebooks or all, got "${float16}"`);
const bundle = await readBundleDir(src);
const { manifest } = bundle;
if (manifest.kind !== 'compositional')
  throw new TypeError(`${src}: expected a compositional bundle, got ${manifest.kind}`);
const { numItems: V, M, K, dim } = manifest.hyper as Required<typeof manifest.hyper>;

const mgqe = values.mgqe === undefined ? undefined : restrictTail(Number(values.mgqe));

/** MGQE: the tail items restricted to the first K_tail codewords, in place in the bundle's tensors. */
function restrictTail(
  tailK: number,
): TailRestriction & { tailK: number; headFraction: number; headItems: number } {
  if (!Number.isInteger(tailK) || tailK < 1 || tailK >= K || 2 ** bitsFor(tailK) !== tailK)
    throw new RangeError(`--mgqe: K_tail must be a power of two below K = ${K}, got ${values.mgqe}`);
  if (values.dataset === undefined) throw new Error('--mgqe needs --dataset (item frequencies in training)');
  const headFraction = Number(values['head-fraction']);
  const data = readSessionData(resolve(values.dataset));
  // Dataset item index i is external id i + 1; frequencies are counted in the bundle's index space.
  const counts = new Float64Array(V);
  popularityCounts(data.train, data.numItems).forEach((n, i) => {
    const b = bundle.itemIndex(String(i + 1));
    if (b >= 0) counts[b] = n;
  });
  const isHead = hotColdSplit(counts, headFraction);
  const isTail = isHead.map((h) => 1 - h);
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

const tensors: TensorInput[] = [...bundle.tensors].map(([name, t]) => {
  const half =
    (float16 === 'codebooks' && name === 'codebooks') ||
    // The head's few floats stay float32, as the contract asks (docs/model.md).
    (float16 === 'all' && t.dtype === 'float32' && !/^(repeat|prior)\./.test(name));
  const pack = name === 'codes' && (values['pack-codes'] || mgqe !== undefined);
  // Row packing keeps wide rows at full width when K fills the dtype (K = 256: 8 bits in a uint8).
  const bits = !pack ? undefined : mgqe ? bitsFor(K) : codeBits(K, t.data.BYTES_PER_ELEMENT);
  const narrowBits = name === 'codes' && mgqe !== undefined ? bitsFor(mgqe.tailK) : undefined;
  return {
    name,
    dtype: half ? 'float16' : t.dtype,
    shape: t.shape,
    data: t.data,
    ...(bits ? { bits } : {}),
    ...(bits && narrowBits ? { narrowBits } : {}),
  };
});
const vocabulary = vocabularyInput(bundle);
const files = await encodeBundle({
  kind: manifest.kind,
  hyper: manifest.hyper,
  vocabulary,
  tensors,
  // A lossy variant (MGQE) keeps no metrics: `pnpm eval` measures it.
  ...(mgqe || !manifest.metrics ? {} : { metrics: manifest.metrics }),
  info: {
    ...manifest.info,
    ...(float16 ? { float16: float16 === 'all' ? 'all float tensors' : 'codebooks' } : {}),
    ...(values['pack-codes'] || mgqe ? { packedCodes: true } : {}),
    ...(mgqe ? { mgqe } : {}),
    derivedFrom: src,
  },
});
await writeBundleDir(out, files);
const bytes = [...files.values()].reduce((s, f) => s + f.byteLength, 0);
const written = JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as typeof manifest;
const codesBytes = written.tensors.find((t) => t.name === 'codes')!.byteLength;
process.stdout.write(JSON.stringify({ out, bytes, codesBytes, ...(mgqe ? { mgqe } : {}) }) + '\n');
