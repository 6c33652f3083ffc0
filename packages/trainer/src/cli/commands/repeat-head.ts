// `pnpm train repeat-head --bundle <dir> --dataset <dir> --out <dir>`: fits the session-repeat head
// (docs/model.md "Repeat head") of a trained bundle of any encoder kind on the validation sessions its
// training held out (same seed and fraction): maximum likelihood (fit.ts), then refined for P@10 + NDCG@10
// (tune.ts). Writes the bundle with the head — every other tensor unchanged — plus a JSON report: the fit,
// validation and test metrics without and with the head.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  encodeBundle,
  tensorInputs,
  REPEAT_RECENCY_TENSOR,
  REPEAT_WEIGHTS_TENSOR,
  vocabularyInput,
  type ModelBundle,
  type TensorInput,
} from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { addRepeatBoosts, type RepeatHead } from '@session-rec/sdk/engine/repeat-head';
import { loadBundleEvaluation, type BundleEvaluation } from '../../eval/bundle-cases.ts';
import {
  DEFAULT_CUTOFFS,
  MetricAccumulator,
  rankOfLabel,
  scoreCasesWithEngine,
  type RankingCase,
} from '../../eval/index.ts';
import { fitRepeatHead, repeatCaseOf, type RepeatCase } from '../../repeat-head/fit.ts';
import { rankCaseOf, TUNE_OBJECTIVES, tuneRepeatHead, type RankCase } from '../../repeat-head/tune.ts';
import { readSessionData, splitSessions } from '../../train/sessions.ts';
import { num } from '../flags.ts';
import { progressPrinter } from '../progress.ts';
import { withTensorTrainRows } from '../../eval/tensor-train-rows.ts';

interface RepeatHeadFlags {
  bundle: string;
  dataset: string;
  out: string;
  report?: string;
  recencyRanks: string;
  l2: string;
  seed?: string;
  validFraction: string;
  validLimit?: string;
  tune: boolean;
  tuneObjective: string;
}

/** Every prefix of each session with its next item, longest first (so prefix groups share the encoder). */
function validationCases(sessions: readonly Int32Array[], toBundle: (i: number) => number): RankingCase[] {
  const cases: RankingCase[] = [];
  for (const raw of sessions) {
    const s = Array.from(raw, toBundle).filter((i) => i >= 0);
    for (let n = s.length - 1; n >= 1; n--) cases.push({ prefix: s.slice(0, n), label: s[n] });
  }
  return cases;
}

function headTensors(head: RepeatHead): TensorInput[] {
  return [
    { name: REPEAT_RECENCY_TENSOR, dtype: 'float32', shape: [head.recency.length], data: head.recency },
    {
      name: REPEAT_WEIGHTS_TENSOR,
      dtype: 'float32',
      shape: [3],
      data: Float32Array.from([head.countWeight, head.repeatShareWeight, head.scoreWeight]),
    },
  ];
}

/**
 * The test set in one scoring pass: each case ranked on θ·e alone, then with the head applied to the same
 * scores (what the engine's scoreAll gives) — overall and split into repeat / new-item cases.
 */
function testWithAndWithoutHead({ engine, cases, bundle }: BundleEvaluation, likelihoodHead: RepeatHead) {
  const V = bundle.manifest.hyper.numItems;
  const acc = () => new MetricAccumulator(DEFAULT_CUTOFFS);
  const likelihood = acc();
  const scratch = new Float32Array(V);
  const parts = {
    withoutHead: acc(),
    withHead: acc(),
    repeatWithout: acc(),
    repeatWith: acc(),
    newWithout: acc(),
    newWith: acc(),
  };
  const opts = {
    numItems: V,
    maxLen: bundle.manifest.hyper.maxLen,
    repeatHead: false,
    onProgress: progressPrinter('repeat-head: test'),
  };
  scoreCasesWithEngine(cases, engine, opts, (c, session, scores, offset) => {
    const { prefix, label } = cases[c];
    const isRepeat = Array.prototype.includes.call(prefix, label);
    const plain = rankOfLabel(scores, label, offset, V);
    // The likelihood optimum, for reference (on a copy: the bundle's own head comes next).
    scratch.set(scores.subarray(offset, offset + V));
    addRepeatBoosts(likelihoodHead, session, scratch);
    likelihood.add(rankOfLabel(scratch, label));
    engine.addRepeatScores(session, scores, offset);
    const headed = rankOfLabel(scores, label, offset, V);
    parts.withoutHead.add(plain);
    parts.withHead.add(headed);
    (isRepeat ? parts.repeatWithout : parts.newWithout).add(plain);
    (isRepeat ? parts.repeatWith : parts.newWith).add(headed);
  });
  return {
    withoutHead: round(parts.withoutHead.result()),
    withHead: round(parts.withHead.result()),
    withLikelihoodHead: round(likelihood.result()),
    repeatCases: {
      withoutHead: round(parts.repeatWithout.result()),
      withHead: round(parts.repeatWith.result()),
    },
    newItemCases: { withoutHead: round(parts.newWithout.result()), withHead: round(parts.newWith.result()) },
  };
}

function describeHead(head: RepeatHead) {
  return {
    recency: Array.from(head.recency, (x) => Number(x.toFixed(4))),
    countWeight: Number(head.countWeight.toFixed(4)),
    repeatShareWeight: Number(head.repeatShareWeight.toFixed(4)),
    scoreWeight: Number(head.scoreWeight.toFixed(4)),
  };
}

const round = (m: Record<string, number>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, k === 'cases' ? v : Number(v.toFixed(4))]));

async function fitCommand(flags: RepeatHeadFlags, command: string): Promise<void> {
  const t0 = performance.now();
  const log = (msg: string) =>
    process.stderr.write(`repeat-head: ${msg} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  const bundle = await readBundleDir(resolve(flags.bundle));
  const { manifest } = bundle;
  if (manifest.kind === 'popularity')
    throw new TypeError('a popularity bundle has no encoder: nothing to fit a head to');
  const data = readSessionData(resolve(flags.dataset));
  const V = manifest.hyper.numItems;
  if (data.numItems !== V)
    throw new RangeError(`bundle has ${V} items, dataset ${data.name} ${data.numItems}: not trained on it`);
  // The split the bundle's training held out: its seed (the manifest records it) and fraction.
  const seed =
    flags.seed !== undefined
      ? num(flags.seed, 'seed', { integer: true, min: 0 })
      : typeof manifest.info?.seed === 'number'
        ? manifest.info.seed
        : 42;
  const fraction = num(flags.validFraction, 'valid-fraction', { min: 0 });
  const split = splitSessions(data.train, fraction, seed);
  const limit = flags.validLimit
    ? num(flags.validLimit, 'valid-limit', { integer: true, min: 1 })
    : undefined;
  const toBundle = (i: number) => bundle.itemIndex(String(i + 1));
  const cases = validationCases(limit === undefined ? split.valid : split.valid.slice(0, limit), toBundle);
  log(
    `${manifest.kind} bundle, ${split.valid.length} validation sessions (seed ${seed}), ${cases.length} cases`,
  );

  // Pass 1: θ·e alone → what the fit needs, and the validation metrics without a head.
  // tt/sttd rows rebuilt once, not per query: the same scores (tensor-train-rows.ts), minutes not hours.
  const cpuEngine = (b: ModelBundle) => withTensorTrainRows('materialized', () => createCpuEngine(b));
  const engine = cpuEngine(bundle);
  const opts = { numItems: V, maxLen: manifest.hyper.maxLen };
  const fitCases: RepeatCase[] = new Array(cases.length);
  const rankCases: RankCase[] = flags.tune ? new Array(cases.length) : [];
  const before = new MetricAccumulator(DEFAULT_CUTOFFS);
  const pass1 = { ...opts, repeatHead: false, onProgress: progressPrinter('repeat-head: validation') };
  scoreCasesWithEngine(cases, engine, pass1, (c, session, scores, offset) => {
    fitCases[c] = repeatCaseOf(session, cases[c].label, scores, offset, V);
    if (flags.tune) rankCases[c] = rankCaseOf(session, cases[c].label, scores, offset, V);
    before.add(rankOfLabel(scores, cases[c].label, offset, V));
  });
  log('validation cases scored');
  const recencyRanks = num(flags.recencyRanks, 'recency-ranks', { integer: true, min: 1 });
  const fit = fitRepeatHead(fitCases, { recencyRanks, l2: num(flags.l2, 'l2', { min: 0 }) });
  log(`fit: loss ${fit.lossBefore.toFixed(4)} → ${fit.lossAfter.toFixed(4)} in ${fit.steps} Newton steps`);
  const objective = TUNE_OBJECTIVES.find((o) => o === flags.tuneObjective);
  if (objective === undefined)
    throw new RangeError(
      `--tune-objective: expected ${TUNE_OBJECTIVES.join(' or ')}, got "${flags.tuneObjective}"`,
    );
  const tuned = flags.tune ? tuneRepeatHead(rankCases, fit.head, { objective }) : undefined;
  const head = tuned?.head ?? fit.head;
  const pct = (m: { p: number; ndcg: number }) => ({
    'P@10': Number((100 * m.p).toFixed(4)),
    'NDCG@10': Number((100 * m.ndcg).toFixed(4)),
  });
  if (tuned) {
    log(
      `tuned for ${objective} (${tuned.evaluations} evaluations): validation P@10 ` +
        `${(100 * tuned.before.p).toFixed(2)} → ${(100 * tuned.after.p).toFixed(2)}, NDCG@10 ` +
        `${(100 * tuned.before.ndcg).toFixed(2)} → ${(100 * tuned.after.ndcg).toFixed(2)}`,
    );
  }

  const info = {
    ...manifest.info,
    repeatHead: {
      command,
      fittedOn: `${cases.length} validation cases (${split.valid.length} sessions, seed ${seed}, fraction ${fraction})`,
      lossBefore: Number(fit.lossBefore.toFixed(5)),
      lossAfter: Number(fit.lossAfter.toFixed(5)),
      ...(tuned
        ? {
            tunedFor: `validation ${objective} (coordinate search from the likelihood optimum)`,
            validationLikelihoodHead: pct(tuned.before),
            validationTunedHead: pct(tuned.after),
          }
        : {}),
    },
  };
  const encode = (metrics?: Record<string, number>) =>
    encodeBundle({
      kind: manifest.kind,
      hyper: manifest.hyper,
      vocabulary: vocabularyInput(bundle),
      tensors: [...tensorInputs(bundle, (name) => name.startsWith('repeat.')), ...headTensors(head)],
      ...(metrics ? { metrics } : {}),
      info,
    });
  const outDir = resolve(flags.out);
  await writeBundleDir(outDir, await encode(manifest.metrics));

  // Pass 2: the written bundle (as a browser reads it) on the validation cases, then the test set.
  const headed = cpuEngine(await readBundleDir(outDir));
  const after = new MetricAccumulator(DEFAULT_CUTOFFS);
  const pass2 = { ...opts, onProgress: progressPrinter('repeat-head: validation with the head') };
  scoreCasesWithEngine(cases, headed, pass2, (c, _s, scores, offset) =>
    after.add(rankOfLabel(scores, cases[c].label, offset, V)),
  );
  log('validation with the head scored');
  const test = testWithAndWithoutHead(await loadBundleEvaluation(outDir, resolve(flags.dataset)), fit.head);
  log('test set scored');
  const { cases: _cases, ...headline } = test.withHead;
  const files = await encode(headline);
  await writeBundleDir(outDir, files);
  const report = {
    bundle: resolve(flags.bundle),
    out: outDir,
    kind: manifest.kind,
    dataset: data.name,
    command,
    head: describeHead(head),
    likelihoodHead: describeHead(fit.head),
    fit: { ...info.repeatHead, steps: fit.steps, gradientMax: fit.gradientMax },
    validation: { withoutHead: round(before.result()), withHead: round(after.result()) },
    test,
    bundleBytes: [...files.values()].reduce((s, f) => s + f.byteLength, 0),
    wallSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  };
  const reportPath = resolve(flags.report ?? `results/repeat-head/${basename(outDir)}.json`);
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(JSON.stringify({ validation: report.validation, test: report.test.withHead }) + '\n');
}

export function registerRepeatHeadCommand(program: Command): void {
  program
    .command('repeat-head')
    .description(
      "fit a trained bundle's session-repeat head on its validation sessions and write the bundle with it",
    )
    .requiredOption('--bundle <dir>', 'trained bundle (any kind but popularity)')
    .requiredOption('--dataset <dir>', 'the dataset it was trained on')
    .requiredOption('--out <dir>', 'bundle folder to write (the input with the head; replaced atomically)')
    .option('--report <file>', 'JSON report (default results/repeat-head/<out name>.json)')
    .option(
      '--recency-ranks <n>',
      'recency biases R (items ≥ R − 1 distinct clicks back share the last)',
      '10',
    )
    .option('--l2 <x>', 'ridge on the head parameters', '1e-4')
    .option('--seed <n>', "validation split seed (default: the bundle's training seed, else 42)")
    .option('--valid-fraction <x>', 'share of training sessions its training held out', '0.1')
    .option('--valid-limit <n>', 'fit on the first n validation sessions only')
    .option('--no-tune', 'keep the likelihood optimum (default: refine it for a validation ranking metric)')
    .option(
      '--tune-objective <metric>',
      `what the refinement maximises: ${TUNE_OBJECTIVES.join(' or ')}`,
      'p10+ndcg10',
    )
    .action(async (flags: RepeatHeadFlags) => {
      const command = `pnpm train repeat-head ${process.argv.slice(3).join(' ')}`;
      await fitCommand(flags, command);
    });
}
