// Writes a random-weight bundle at Tmall's teacher shape (V = 40,727, N = 128, 1 block, 1 head, maxLen 50;
// compositional M = 4, K = 32) for timing runs that need a bundle folder. Weights are random: never
// report its accuracy.
//   npx tsx packages/sdk/src/engine/cpu/bench/write-random-bundle.ts <full|compositional|tt|sttd> <outDir>
import { writeBundleDir } from '../../../bundle/node.ts';
import type { ModelKind } from '../../../bundle/types.ts';
import { randomBundleFiles } from '../../../testing/random-bundle.ts';

const [kind, out] = process.argv.slice(2);
if (kind === undefined || out === undefined) throw new Error('usage: write-random-bundle.ts <kind> <outDir>');
const files = await randomBundleFiles(kind as ModelKind, {
  numItems: 40727,
  dim: 128,
  heads: 1,
  blocks: 1,
  maxLen: 50,
  M: 4,
  K: 32,
  seed: 1,
  info: { random: true, note: 'random weights, for timing only' },
});
await writeBundleDir(out, files);
console.log(`wrote a random ${kind} bundle to ${out}`);
