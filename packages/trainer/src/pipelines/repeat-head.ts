// The repeat-head pipeline (`pnpm train repeat-head --bundle <dir> --dataset <dir> --out <dir>`): fits the head of a trained bundle of
// any encoder kind — its popularity prior (docs/model.md "Popularity prior") and its session-repeat head
// ("Repeat head") — on the validation sessions its training held out (same seed and fraction). First the
// prior: a (half-life, weight, depth) grid judged on the most recent validation sessions' new-item cases,
// popularity counted over the training sessions before them (searchPrior); then, on scores with that
// prior, the repeat head on every validation session: maximum likelihood (fit.ts), refined for P@10 +
// NDCG@10 (tune.ts).
// Writes the bundle with both — with a prior, the popularity order of the training split (validation
// sessions left out) to the prior's depth; every other tensor unchanged — plus a JSON report: the choices, validation and test metrics without and with them.
import { basename, resolve } from 'node:path';
import {
  encodeBundle,
  tensorInputs,
  POPULARITY_PRIOR_TENSOR,
  REPEAT_RECENCY_TENSOR,
  REPEAT_WEIGHTS_TENSOR,
  vocabularyInput,
  type ModelBundle,
  type TensorInput,
} from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine, type CpuScoringEngine } from '@session-rec/sdk/engine/cpu';
import { addRepeatBoosts, type RepeatHead } from '@session-rec/sdk/engine/repeat-head';
import {
  addPriorTerms,
  popularityPriorData,
  priorValues,
  readPriorTerms,
  type PopularityPrior,
  type PriorTerms,
} from '@session-rec/sdk/engine/popularity-prior';
import { datasetToBundle, loadBundleEvaluation, type BundleEvaluation } from '../eval/bundle-cases.ts';
import {
  DEFAULT_CUTOFFS,
  MetricAccumulator,
  rankOfLabel,
  roundMetrics,
  scoreCasesWithEngine,
  type RankingCase,
} from '../eval/index.ts';
import { fitRepeatHead, repeatCaseOf, type RepeatCase } from '../repeat-head/fit.ts';
import { rankCaseOf, TUNE_OBJECTIVES, tuneRepeatHead, type RankCase } from '../repeat-head/tune.ts';
import { PriorSearch, priorGrid } from '../repeat-head/prior-search.ts';
import { recentPopularityOrder, type TimedSessions } from '../repeat-head/recent-popularity.ts';
import { readDataset } from '../data/index.ts';
import { validationPositions, splitValidation } from '../data/index.ts';
import { num, numList, optional } from '../flags.ts';
import { progressPrinter } from '../progress.ts';
import { withTensorTrainRows } from '../eval/tensor-train-rows.ts';

import { runPaths } from '../paths.ts';
import { writeReport } from './report.ts';
import { eq11Ratio, itemTableParameters } from '../quality/parameter-count.ts';

export interface RepeatHeadFlags {
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
  prior: boolean;
  priorWeights: string;
  priorDepths: string;
  priorHalfLives: string;
  priorRecentFraction: string;
}

/** The flags' defaults (the command's, and what `pnpm train refresh` refits a head with). */
export const REPEAT_HEAD_DEFAULTS = {
  recencyRanks: '10',
  l2: '1e-4',
  validFraction: '0.1',
  tuneObjective: 'p10+ndcg10',
  priorWeights: '0.1,0.2,0.3,0.5,0.7,1',
  priorDepths: '1000,2500,5000',
  priorHalfLives: '0,5000,10000,20000',
  priorRecentFraction: '0.25',
} as const;

export type RepeatHeadConfig = ReturnType<typeof repeatHeadConfig>;

/** A comma-separated list of numbers ≥ min, for `--flag`. */
const list = (value: string, flag: string, min: number) => numList(value, flag, { min });

/** Every flag parsed and checked; nothing read or loaded yet. */
export function repeatHeadConfig(flags: RepeatHeadFlags, command: string) {
  const objective = TUNE_OBJECTIVES.find((o) => o === flags.tuneObjective);
  if (objective === undefined)
    throw new RangeError(
      `--tune-objective: expected ${TUNE_OBJECTIVES.join(' or ')}, got "${flags.tuneObjective}"`,
    );
  return {
    bundleDir: resolve(flags.bundle),
    datasetDir: resolve(flags.dataset),
    outDir: resolve(flags.out),
    report: flags.report,
    recencyRanks: num(flags.recencyRanks, 'recency-ranks', { integer: true, min: 1 }),
    l2: num(flags.l2, 'l2', { min: 0 }),
    seed: optional(flags.seed, (v) => num(v, 'seed', { integer: true, min: 0 })),
    validFraction: num(flags.validFraction, 'valid-fraction', { min: 0 }),
    validLimit: optional(flags.validLimit, (v) => num(v, 'valid-limit', { integer: true, min: 1 })),
    tune: flags.tune,
    tuneObjective: objective,
    prior: flags.prior,
    priorWeights: list(flags.priorWeights, 'prior-weights', 0),
    priorDepths: list(flags.priorDepths, 'prior-depths', 1).map(Math.round),
    priorHalfLives: list(flags.priorHalfLives, 'prior-half-lives', 0),
    priorRecentFraction: num(flags.priorRecentFraction, 'prior-recent-fraction', { min: 0 }),
    command,
  };
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
  const prior = readPriorTerms(bundle);
  const acc = () => new MetricAccumulator(DEFAULT_CUTOFFS);
  const likelihood = acc();
  const priorOnly = acc();
  const newPriorOnly = acc();
  const scratch = new Float32Array(V);
  const parts = {
    withoutHead: acc(),
    withHead: acc(),
    repeatWithout: acc(),
    repeatWith: acc(),
    newWithout: acc(),
    newWith: acc(),
  };
  const opts = thetaPass(bundle, 'test');
  scoreCasesWithEngine(cases, engine, opts, (c, session, scores, offset) => {
    const { prefix, label } = cases[c];
    const isRepeat = Array.prototype.includes.call(prefix, label);
    const plain = rankOfLabel(scores, label, offset, V);
    // The prior alone, then with the likelihood optimum, for reference (on a copy: the bundle's own head
    // comes next).
    scratch.set(scores.subarray(offset, offset + V));
    if (prior !== undefined) {
      addPriorTerms(prior, scratch);
      const rank = rankOfLabel(scratch, label);
      priorOnly.add(rank);
      if (!isRepeat) newPriorOnly.add(rank);
    }
    addRepeatBoosts(likelihoodHead, session, scratch);
    likelihood.add(rankOfLabel(scratch, label));
    engine.addHeadScores(session, scores, offset);
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
    ...(prior ? { withPriorOnly: round(priorOnly.result()) } : {}),
    repeatCases: {
      withoutHead: round(parts.repeatWithout.result()),
      withHead: round(parts.repeatWith.result()),
    },
    newItemCases: {
      withoutHead: round(parts.newWithout.result()),
      ...(prior ? { withPriorOnly: round(newPriorOnly.result()) } : {}),
      withHead: round(parts.newWith.result()),
    },
  };
}

/** Options of a scoring pass over θ·e alone (the bundle's own head left out), with a progress line. */
function thetaPass(bundle: ModelBundle, what: string) {
  const { numItems, maxLen } = bundle.manifest.hyper;
  return { numItems, maxLen, head: false, onProgress: progressPrinter(`repeat-head: ${what}`) };
}

/** Dataset item indices → bundle indices (items the bundle lacks dropped). */
function toBundleOrder(order: Uint32Array, toBundle: (i: number) => number): Uint32Array {
  return Uint32Array.from(Array.from(order, toBundle).filter((i) => i >= 0));
}

interface PriorSearchInput {
  bundle: ModelBundle;
  engine: CpuScoringEngine;
  /** The training split with its positions on the timeline. */
  timed: TimedSessions;
  valid: readonly Int32Array[];
  validPositions: readonly number[];
  toBundle: (i: number) => number;
  log: (msg: string) => void;
}

/**
 * The popularity prior as a shop will use it: counted over the past, judged on later shoppers. The last
 * `--prior-recent-fraction` of the validation sessions (by time) are the judges; popularity is counted
 * over the training sessions before the first of them, decayed by each `--prior-half-lives`; the grid of
 * weights × depths is searched for each (prior-search.ts). Validation sessions never count.
 */
function searchPrior(config: RepeatHeadConfig, input: PriorSearchInput) {
  const { bundle, engine, timed, valid, validPositions, toBundle, log } = input;
  const V = bundle.manifest.hyper.numItems;
  const { priorWeights: weights, priorDepths: depths, priorHalfLives: halfLives } = config;
  const recent = config.priorRecentFraction;
  const first = Math.min(Math.floor((1 - Math.min(recent, 1)) * valid.length), valid.length - 1);
  const now = validPositions[first];
  const cases = validationCases(valid.slice(first), toBundle);
  const searches = halfLives.map((halfLife) => {
    const order = toBundleOrder(recentPopularityOrder(timed, V, halfLife, now), toBundle);
    return { halfLife, search: new PriorSearch(order, priorGrid(weights, depths, order.length), V) };
  });
  const opts = thetaPass(bundle, 'prior search');
  scoreCasesWithEngine(cases, engine, opts, (c, session, scores, offset) => {
    for (const { search } of searches) search.add(session, cases[c].label, scores, offset);
  });
  const objective = (r: { p: number; ndcg: number }) => r.p + r.ndcg;
  const best = searches
    .map(({ halfLife, search }) => ({ halfLife, ...search.best() }))
    .reduce((a, b) => (objective(b) > objective(a) ? b : a));
  const none = searches[0].search.results()[0];
  const pct = (x: number) => Number((100 * x).toFixed(4));
  const judged = searches[0].search.newItemCases;
  log(
    `prior: weight ${best.prior.weight}, depth ${best.prior.depth}, half-life ${best.halfLife} sessions — ` +
      `recent new-item validation P@10 ${pct(none.p)} → ${pct(best.p)} (${judged} cases)`,
  );
  const prior = best.prior.weight > 0 ? best.prior : undefined;
  return {
    prior,
    halfLife: best.halfLife,
    report: {
      chosen: prior ? { ...prior, halfLifeSessions: best.halfLife } : null,
      judgedOn:
        `${judged} new-item cases (label not in the session) of the last ${valid.length - first} validation ` +
        `sessions by time; popularity counted over the ${now} training-file sessions before them ` +
        `(validation sessions left out); P@10 + NDCG@10`,
      candidates: searches.flatMap(({ halfLife, search }) =>
        search.results().map((r) => ({
          halfLifeSessions: halfLife,
          ...r.prior,
          'P@10': pct(r.p),
          'NDCG@10': pct(r.ndcg),
        })),
      ),
    },
  };
}

/**
 * Parameters as the paper's Eq. 11 counts them (every stored number one, codes included): the item
 * table's, and the table's plus what the head adds (prior: its popularity entries and 2 floats; repeat
 * head: R + 3 floats), with the compression ratios V·N / count.
 */
function parameterCounts(bundle: ModelBundle, prior: PopularityPrior | undefined, head: RepeatHead) {
  const itemTable = itemTableParameters(bundle.manifest);
  const headParams = (prior ? prior.depth + 2 : 0) + head.recency.length + 3;
  const ratio = (extra: number) => Number((eq11Ratio(bundle.manifest, extra) ?? Infinity).toFixed(2));
  return {
    itemTable,
    head: headParams,
    ratioEq11: ratio(0),
    ratioEq11WithHead: ratio(headParams),
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

const round = roundMetrics;

export async function fitRepeatHeadPipeline(config: RepeatHeadConfig) {
  const { command } = config;
  const t0 = performance.now();
  const log = (msg: string) =>
    process.stderr.write(`repeat-head: ${msg} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  const bundle = await readBundleDir(config.bundleDir);
  const { manifest } = bundle;
  if (manifest.kind === 'popularity')
    throw new TypeError('a popularity bundle has no encoder: nothing to fit a head to');
  const data = readDataset(config.datasetDir);
  const V = manifest.hyper.numItems;
  const bundleIndex = datasetToBundle(data, bundle); // throws when the bundle was not trained on it
  // The split the bundle's training held out: its seed (the manifest records it) and fraction.
  const seed = config.seed ?? (typeof manifest.info?.seed === 'number' ? manifest.info.seed : 42);
  const fraction = config.validFraction;
  const split = splitValidation(data.trainSessions, { fraction: fraction, seed: seed });
  const limit = config.validLimit;
  const toBundle = (i: number) => bundleIndex[i]!;
  const cases = validationCases(limit === undefined ? split.valid : split.valid.slice(0, limit), toBundle);
  log(
    `${manifest.kind} bundle, ${split.valid.length} validation sessions (seed ${seed}), ${cases.length} cases`,
  );

  const cpuEngine = (b: ModelBundle) => withTensorTrainRows('materialized', () => createCpuEngine(b));
  const engine = cpuEngine(bundle);
  const opts = { numItems: V, maxLen: manifest.hyper.maxLen };

  // Pass 0: the popularity prior, on the most recent new-item validation cases (prior-search.ts).
  const positions = validationPositions(data.trainSessions.length, { fraction: fraction, seed: seed });
  const timed = { sessions: split.train, positions: positions.train };
  const choice = config.prior
    ? searchPrior(config, {
        bundle,
        engine,
        timed,
        valid: split.valid,
        validPositions: positions.valid,
        toBundle,
        log,
      })
    : undefined;
  const prior = choice?.prior;
  // The order a chosen prior reads: every training session, decayed towards the end of the timeline.
  const popularity =
    prior === undefined
      ? undefined
      : toBundleOrder(
          recentPopularityOrder(timed, data.numItems, choice!.halfLife, data.trainSessions.length),
          toBundle,
        );
  const priorTerms: PriorTerms | undefined =
    prior === undefined
      ? undefined
      : { items: Uint32Array.from(popularity!.subarray(0, prior.depth)), values: priorValues(prior) };

  // Pass 1: θ·e (+ the prior) → what the fit needs, and the validation metrics without a head.
  // tt/sttd rows rebuilt once, not per query: the same scores (tensor-train-rows.ts), minutes not hours.
  const fitCases: RepeatCase[] = new Array(cases.length);
  const rankCases: RankCase[] = config.tune ? new Array(cases.length) : [];
  const before = new MetricAccumulator(DEFAULT_CUTOFFS);
  const pass1 = thetaPass(bundle, 'validation');
  scoreCasesWithEngine(cases, engine, pass1, (c, session, scores, offset) => {
    before.add(rankOfLabel(scores, cases[c].label, offset, V));
    if (priorTerms !== undefined) addPriorTerms(priorTerms, scores, offset);
    fitCases[c] = repeatCaseOf(session, cases[c].label, scores, offset, V);
    if (config.tune) rankCases[c] = rankCaseOf(session, cases[c].label, scores, offset, V);
  });
  log('validation cases scored');
  const fit = fitRepeatHead(fitCases, { recencyRanks: config.recencyRanks, l2: config.l2 });
  log(`fit: loss ${fit.lossBefore.toFixed(4)} → ${fit.lossAfter.toFixed(4)} in ${fit.steps} Newton steps`);
  const objective = config.tuneObjective;
  const tuned = config.tune ? tuneRepeatHead(rankCases, fit.head, { objective }) : undefined;
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

  const { popularityPrior: _replaced, ...earlierInfo } = manifest.info ?? {};
  const info = {
    ...earlierInfo,
    // The candidates stay in the report: the manifest is what every shopper's browser downloads.
    ...(choice && prior
      ? { popularityPrior: { command, chosen: choice.report.chosen, judgedOn: choice.report.judgedOn } }
      : {}),
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
  // With a prior, the popularity order it reads — the training split's, as deep as it reads and never
  // shorter than the bundle's own — replaces the bundle's (the empty-session answer changes little).
  const ownPopularity = bundle.tensors.get('popularity')!.data;
  const shippedPopularity =
    prior === undefined ? ownPopularity : popularity!.slice(0, Math.max(ownPopularity.length, prior.depth));
  const encode = (metrics?: Record<string, number>) =>
    encodeBundle({
      kind: manifest.kind,
      hyper: manifest.hyper,
      vocabulary: vocabularyInput(bundle),
      tensors: [
        ...tensorInputs(
          bundle,
          (name) => name.startsWith('repeat.') || name.startsWith('prior.') || name === 'popularity',
        ),
        {
          name: 'popularity',
          dtype: 'uint32',
          shape: [shippedPopularity.length],
          data: shippedPopularity,
        },
        ...(prior
          ? [
              {
                name: POPULARITY_PRIOR_TENSOR,
                dtype: 'float32' as const,
                shape: [2],
                data: popularityPriorData(prior),
              },
            ]
          : []),
        ...headTensors(head),
      ],
      ...(metrics ? { metrics } : {}),
      info,
    });
  const { outDir } = config;
  await writeBundleDir(outDir, await encode(manifest.metrics));

  // Pass 2: the written bundle (as a browser reads it) on the validation cases, then the test set.
  const headed = cpuEngine(await readBundleDir(outDir));
  const after = new MetricAccumulator(DEFAULT_CUTOFFS);
  const pass2 = { ...opts, onProgress: progressPrinter('repeat-head: validation with the head') };
  scoreCasesWithEngine(cases, headed, pass2, (c, _s, scores, offset) =>
    after.add(rankOfLabel(scores, cases[c].label, offset, V)),
  );
  log('validation with the head scored');
  const test = testWithAndWithoutHead(await loadBundleEvaluation(outDir, config.datasetDir), fit.head);
  log('test set scored');
  const { cases: _cases, ...headline } = test.withHead;
  const files = await encode(headline);
  await writeBundleDir(outDir, files);
  const report = {
    bundle: config.bundleDir,
    out: outDir,
    kind: manifest.kind,
    dataset: data.name,
    command,
    prior: choice?.report ?? null,
    head: describeHead(head),
    likelihoodHead: describeHead(fit.head),
    parameters: parameterCounts(bundle, prior, head),
    fit: { ...info.repeatHead, steps: fit.steps, gradientMax: fit.gradientMax },
    validation: { withoutHead: round(before.result()), withHead: round(after.result()) },
    test,
    bundleBytes: [...files.values()].reduce((s, f) => s + f.byteLength, 0),
    wallSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  };
  const reportPath = resolve(config.report ?? runPaths(`${basename(outDir)}-repeat-head`).report);
  writeReport(reportPath, report);
  process.stdout.write(JSON.stringify({ validation: report.validation, test: report.test.withHead }) + '\n');
  return { bundle: { dir: outDir, bytes: report.bundleBytes }, report, reportPath };
}
