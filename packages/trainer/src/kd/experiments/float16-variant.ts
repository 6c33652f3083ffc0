// Beyond the paper: the same compositional bundle with float16 codebooks (the codec converts,
// round-to-nearest-even), to measure the accuracy cost with `pnpm eval` and the bytes saved.
// Usage: tsx packages/trainer/src/kd/experiments/float16-variant.ts <bundle dir> <out dir> [--all]
//   --all: every float32 tensor (encoder weights too) as float16, not only the codebooks.
import { encodeBundle, type TensorInput } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';

const [src, out, flag] = process.argv.slice(2);
const all = flag === '--all';
if (!src || !out) throw new Error('usage: float16-variant.ts <compositional bundle dir> <out dir>');
const bundle = await readBundleDir(src);
const { manifest } = bundle;
if (manifest.kind !== 'compositional')
  throw new TypeError(`${src}: expected a compositional bundle, got ${manifest.kind}`);
const tensors: TensorInput[] = [...bundle.tensors].map(([name, t]) => ({
  name,
  dtype: name === 'codebooks' || (all && t.dtype === 'float32') ? 'float16' : t.dtype,
  shape: t.shape,
  data: t.data,
}));
const vocabulary =
  manifest.vocabulary.type === 'range'
    ? manifest.vocabulary
    : Array.from({ length: manifest.hyper.numItems }, (_, i) => bundle.itemIds(i));
const files = await encodeBundle({
  kind: manifest.kind,
  hyper: manifest.hyper,
  vocabulary,
  tensors,
  metrics: manifest.metrics,
  info: { ...manifest.info, float16: all ? 'all float tensors' : 'codebooks', derivedFrom: src },
});
await writeBundleDir(out, files);
const bytes = [...files.values()].reduce((s, f) => s + f.byteLength, 0);
process.stdout.write(JSON.stringify({ out, bytes }) + '\n');
