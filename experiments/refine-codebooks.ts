// Experiment (beyond the paper): refit a compositional bundle's codebooks for new items
// (kd/refine-codebooks.ts), then write the bundle (without a repeat head: fit one afterwards with
// `pnpm train repeat-head`, which reports validation and test). Trains on the bundle's own training split
// (its seed, fraction 0.1), keeps the codebooks with the best validation "explore" P@10 (label a new item,
// ranked among the items outside the session), checked every --check-minutes.
// Usage: tsx experiments/refine-codebooks.ts <bundle> <dataset> <out>
//          [--minutes 20] [--lr 1e-4] [--batch 64] [--valid-sessions 1000] [--check-minutes 4]
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { encodeBundle, tensorInputs, vocabularyInput } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine, type CpuScoringEngine } from '@session-rec/sdk/engine/cpu';
import { addPriorTerms, readPriorTerms } from '@session-rec/sdk/engine/popularity-prior';
import { readDataset, seededRandom, shuffleInPlace, splitValidation } from '@session-rec/trainer/data';
import {
  accumulateExploreGradient,
  CodebookAdam,
  type CodebookModel,
  type ExploreCase,
} from '@session-rec/trainer/kd';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    minutes: { type: 'string', default: '20' },
    lr: { type: 'string', default: '1e-4' },
    batch: { type: 'string', default: '64' },
    'valid-sessions': { type: 'string', default: '1000' },
    'check-minutes': { type: 'string', default: '4' },
  },
});
const [bundleDir, datasetDir, outDir] = positionals;
if (!bundleDir || !datasetDir || !outDir)
  throw new Error('usage: refine-codebooks.ts <bundle> <dataset> <out> [options]');
const minutes = Number(values.minutes);
const lr = Number(values.lr);
const batch = Number(values.batch);
const checkMs = Number(values['check-minutes']) * 60_000;

const bundle = await readBundleDir(resolve(bundleDir));
const { manifest } = bundle;
if (manifest.kind !== 'compositional')
  throw new TypeError(`expected a compositional bundle, got ${manifest.kind}`);
const { numItems: V, maxLen, M, K, dim } = manifest.hyper as Required<typeof manifest.hyper>;
const codebooks = bundle.tensors.get('codebooks')!.data as Float32Array; // shared with the engine: refined in place
// A bundle with a popularity prior is refined under it: the codebooks need not learn what the prior adds.
const priorTerms = readPriorTerms(bundle);
const prior = priorTerms && new Float32Array(V);
if (priorTerms && prior) addPriorTerms(priorTerms, prior);
const model: CodebookModel = {
  numItems: V,
  M,
  K,
  dim,
  codes: bundle.tensors.get('codes')!.data,
  codebooks,
  ...(prior ? { prior } : {}),
};
const engine = createCpuEngine(bundle);

const data = readDataset(resolve(datasetDir));
const seed = typeof manifest.info?.seed === 'number' ? manifest.info.seed : 42;
const split = splitValidation(data.trainSessions, { fraction: 0.1, seed: seed });

/** Every new-item case of a session with its θ (encoder with the current codebooks). */
function* exploreCases(e: CpuScoringEngine, session: Int32Array): Generator<ExploreCase> {
  const s = Array.from(session);
  const head = Math.min(s.length - 1, maxLen);
  if (head < 1) return;
  const thetas = e.encodePrefixes(s.slice(0, head))!;
  for (let n = 1; n < s.length; n++) {
    const window = s.slice(Math.max(0, n - maxLen), n);
    const label = s[n];
    if (window.includes(label)) continue;
    const theta = n <= maxLen ? thetas.slice((n - 1) * dim, n * dim) : e.encode(window)!.slice();
    yield { theta, exclude: [...new Set(window)], label };
  }
}

const validSessions = split.valid.slice(0, Number(values['valid-sessions']));
const scores = new Float32Array(V);
function validate(): number {
  let hits = 0;
  let count = 0;
  for (const session of validSessions) {
    for (const c of exploreCases(engine, session)) {
      engine.scoreTheta(c.theta, scores);
      if (priorTerms) addPriorTerms(priorTerms, scores);
      for (const i of c.exclude) scores[i] = -Infinity;
      const target = scores[c.label];
      let above = 0;
      for (let i = 0; i < V && above < 10; i++) if (i !== c.label && scores[i] >= target) above++;
      if (above < 10) hits++;
      count++;
    }
  }
  return (100 * hits) / Math.max(count, 1);
}

const t0 = performance.now();
const log = (msg: string) =>
  process.stderr.write(`refine: ${msg} (${((performance.now() - t0) / 60_000).toFixed(1)} min)\n`);
let best = validate();
let bestCodebooks = codebooks.slice();
log(
  `validation explore P@10 ${best.toFixed(2)} before (${validSessions.length} sessions); lr ${lr}, batch ${batch}`,
);

const adam = new CodebookAdam(model, lr);
const grad = new Float64Array(codebooks.length);
const scratch = new Float64Array(V + 2 * M * K);
const order = shuffleInPlace(
  split.train.map((_, i) => i),
  seededRandom(seed + 1),
);
let inBatch = 0;
let lossSum = 0;
let seen = 0;
let nextCheck = performance.now() + checkMs;
const deadline = t0 + minutes * 60_000;
outer: for (let epoch = 0; ; epoch++) {
  for (const s of order) {
    for (const c of exploreCases(engine, split.train[s])) {
      lossSum += accumulateExploreGradient(model, c, grad, scratch);
      seen++;
      if (++inBatch === batch) {
        adam.step(grad, inBatch);
        grad.fill(0);
        inBatch = 0;
      }
    }
    if (performance.now() >= nextCheck || performance.now() >= deadline) {
      const p = validate();
      log(
        `epoch ${epoch}, ${seen} cases, mean loss ${(lossSum / Math.max(seen, 1)).toFixed(4)}, validation explore P@10 ${p.toFixed(2)}`,
      );
      if (p > best) {
        best = p;
        bestCodebooks = codebooks.slice();
      }
      nextCheck = performance.now() + checkMs;
      if (performance.now() >= deadline) break outer;
    }
  }
}

const tensors = tensorInputs(bundle, (name) => name.startsWith('repeat.')).map((t) =>
  t.name === 'codebooks' ? { ...t, data: bestCodebooks } : t,
);
const { repeatHead: _dropped, ...info } = manifest.info ?? {};
await writeBundleDir(
  resolve(outDir),
  await encodeBundle({
    kind: manifest.kind,
    hyper: manifest.hyper,
    vocabulary: vocabularyInput(bundle),
    tensors,
    info: {
      ...info,
      refinedCodebooks: {
        // A refinement of a refined bundle keeps the earlier runs' record.
        ...(info.refinedCodebooks !== undefined ? { after: info.refinedCodebooks } : {}),
        command: `tsx experiments/refine-codebooks.ts ${process.argv.slice(2).join(' ')}`,
        trainCases: seen,
        validationExploreP10: Number(best.toFixed(4)),
      },
    },
  }),
);
log(`best validation explore P@10 ${best.toFixed(2)}; bundle written to ${outDir}`);
