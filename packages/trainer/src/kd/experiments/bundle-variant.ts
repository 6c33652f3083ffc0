// Beyond the paper: the same compositional bundle stored smaller — float16 codebooks (or every float
// tensor), bit-packed codes — to measure with `pnpm eval` the accuracy cost and the bytes saved.
// Usage: tsx packages/trainer/src/kd/experiments/bundle-variant.ts <bundle dir> <out dir> [--float16 codebooks|all] [--pack-codes]
//   --float16 codebooks: the codebooks as float16 (the codec rounds to nearest even); all: encoder weights too.
//   --pack-codes: the code matrix at ⌈log2 K⌉ bits per code (lossless; bundle format version 2).
import { parseArgs } from 'node:util';
import { encodeBundle, vocabularyInput, type TensorInput } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { codeBits } from '../../train/export-bundle.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { float16: { type: 'string' }, 'pack-codes': { type: 'boolean', default: false } },
});
const [src, out] = positionals;
if (!src || !out)
  throw new Error(
    'usage: bundle-variant.ts <compositional bundle dir> <out dir> [--float16 codebooks|all] [--pack-codes]',
  );
const float16 = values.float16;
if (float16 !== undefined && float16 !== 'codebooks' && float16 !== 'all')
  throw new RangeError(`--float16: expected codebooks or all, got "${float16}"`);
const bundle = await readBundleDir(src);
const { manifest } = bundle;
if (manifest.kind !== 'compositional')
  throw new TypeError(`${src}: expected a compositional bundle, got ${manifest.kind}`);
const tensors: TensorInput[] = [...bundle.tensors].map(([name, t]) => {
  const half =
    (float16 === 'codebooks' && name === 'codebooks') || (float16 === 'all' && t.dtype === 'float32');
  const bits =
    name === 'codes' && values['pack-codes']
      ? codeBits(manifest.hyper.K!, t.data.BYTES_PER_ELEMENT)
      : undefined;
  return { name, dtype: half ? 'float16' : t.dtype, shape: t.shape, data: t.data, ...(bits ? { bits } : {}) };
});
const vocabulary = vocabularyInput(bundle);
const files = await encodeBundle({
  kind: manifest.kind,
  hyper: manifest.hyper,
  vocabulary,
  tensors,
  metrics: manifest.metrics,
  info: {
    ...manifest.info,
    ...(float16 ? { float16: float16 === 'all' ? 'all float tensors' : 'codebooks' } : {}),
    ...(values['pack-codes'] ? { packedCodes: true } : {}),
    derivedFrom: src,
  },
});
await writeBundleDir(out, files);
const bytes = [...files.values()].reduce((s, f) => s + f.byteLength, 0);
process.stdout.write(JSON.stringify({ out, bytes }) + '\n');
