// New-item tuning (`pnpm train new-items --bundle <student> --dataset <dir> --out <dir>`, beyond the paper):
// fine-tunes a trained compositional student — encoder and codebooks, codes frozen — for what the shop's
// strip shows: the next click when it is an item the session has not seen, ranked among the items outside
// the session (train/new-item-batches.ts). The repeat head then ranks the session's own items; the
// written bundle has no head (its θ·e changed), so fit one with `pnpm train repeat-head` afterwards.
import { resolve } from 'node:path';
import { encodeBundle, tensorInputs, vocabularyInput } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { readDataset, splitValidation } from '../data/index.ts';
import type { Metrics } from '../eval/metrics.ts';
import { Backbone, backboneShapes, bundleBackboneHyper, bundleFloatTensors } from '../model/backbone.ts';
import { FixedCodeItemTable } from '../model/fixed-code-table.ts';
import { SessionModel } from '../model/session-model.ts';
import { selectBackend } from '../train/backend.ts';
import { evaluateSessions } from '../train/evaluate.ts';
import { trainModel, type TrainResult } from '../train/loop.ts';
import { writeReport } from './report.ts';

export interface NewItemTuningConfig {
  bundleDir: string;
  datasetDir: string;
  outDir: string;
  reportPath: string;
  epochs: number;
  maxMinutes: number;
  lr: number;
  l2: number;
  positionsPerBatch: number;
  patience: number;
  /** Validate on the first n validation sessions (a fixed subset). */
  validLimit?: number;
  validFraction: number;
  seed?: number;
  checkpointDir?: string;
  checkpointMinutes: number;
  resume: boolean;
  progress: boolean;
  command: string;
  log?: (line: string) => void;
}

export interface NewItemTuningReport {
  command: string;
  bundle: string;
  bundleVersion: string;
  dataset: string;
  validSessions: number;
  backend: string;
  /** Validation new-item cases ranked among the items outside the session, before and after. */
  validBefore: Metrics;
  validAfter: Metrics;
  training: Omit<TrainResult, 'history'> & { history: TrainResult['history'] };
  out: string;
  outVersion: string;
  bytes: number;
}

/** Tensors replaced by the tuning, or made stale by it (the head was fitted to the old θ·e). */
function replacedOrStale(name: string, backboneNames: Set<string>): boolean {
  return (
    name === 'codebooks' || backboneNames.has(name) || name.startsWith('repeat.') || name.startsWith('prior.')
  );
}

export async function tuneForNewItems(config: NewItemTuningConfig): Promise<NewItemTuningReport> {
  const log = config.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const backend = await selectBackend();
  const bundle = await readBundleDir(resolve(config.bundleDir));
  const { manifest } = bundle;
  if (manifest.kind !== 'compositional')
    throw new TypeError(`${config.bundleDir}: expected a 'compositional' bundle, got '${manifest.kind}'`);
  const h = manifest.hyper;
  const hyper = bundleBackboneHyper(manifest);
  const weights = bundleFloatTensors(bundle);
  const codes = bundle.tensors.get('codes');
  const codebooks = weights.get('codebooks');
  if (!codes || !codebooks) throw new TypeError(`${config.bundleDir}: bundle has no codes or codebooks`);
  const model = new SessionModel(
    new Backbone(hyper, { init: weights }),
    new FixedCodeItemTable(h.M!, h.K!, codes.data, codebooks),
  );

  const data = readDataset(resolve(config.datasetDir));
  if (data.numItems !== h.numItems)
    throw new RangeError(
      `${config.datasetDir} has ${data.numItems} items, the bundle ${h.numItems}: not the data it was trained on`,
    );
  const seed = config.seed ?? (typeof manifest.info?.seed === 'number' ? manifest.info.seed : 42);
  const split = splitValidation(data.trainSessions, { fraction: config.validFraction, seed });
  const valid = config.validLimit ? split.valid.slice(0, config.validLimit) : split.valid;

  try {
    const validBefore = await evaluateSessions(model, valid, 512, { newItems: true });
    log(
      `new-item validation before: P@10 ${validBefore['P@10']!.toFixed(2)} NDCG@10 ${validBefore['NDCG@10']!.toFixed(2)} (${valid.length} sessions)`,
    );
    const training = await trainModel(
      model,
      { train: split.train, valid },
      {
        epochs: config.epochs,
        lr: config.lr,
        l2: config.l2,
        positionsPerBatch: config.positionsPerBatch,
        seed,
        patience: config.patience,
        maxMinutes: config.maxMinutes,
        ...(config.checkpointDir ? { checkpointDir: config.checkpointDir } : {}),
        checkpointEveryMinutes: config.checkpointMinutes,
        resume: config.resume,
        loss: { kind: 'new-items' },
        log,
        progress: config.progress,
      },
    );
    const validAfter = await evaluateSessions(model, valid, 512, { newItems: true });
    log(
      `new-item validation after: P@10 ${validAfter['P@10']!.toFixed(2)} NDCG@10 ${validAfter['NDCG@10']!.toFixed(2)}`,
    );

    const backboneNames = new Set(Object.keys(backboneShapes(hyper)));
    const table = model.table.exportTensors();
    const files = await encodeBundle({
      kind: 'compositional',
      hyper: manifest.hyper,
      vocabulary: vocabularyInput(bundle),
      tensors: [
        ...tensorInputs(bundle, (name) => replacedOrStale(name, backboneNames)),
        { name: 'codebooks', ...table.tensors.codebooks! },
        ...Object.entries(model.backbone.exportTensors()).map(([name, t]) => ({ name, ...t })),
      ],
      info: {
        ...manifest.info,
        repeatHead: undefined,
        popularityPrior: undefined,
        newItemTuning: {
          command: config.command,
          from: { bundle: config.bundleDir, version: manifest.version },
          epochs: training.history.length,
          bestEpoch: training.bestEpoch,
          stopReason: training.stopReason,
          minutes: Math.round((training.elapsedSeconds / 60) * 10) / 10,
          validNewItems: { before: validBefore, after: validAfter },
        },
      },
    });
    await writeBundleDir(resolve(config.outDir), files);
    const out = await readBundleDir(resolve(config.outDir));
    let bytes = 0;
    for (const f of files.values()) bytes += f.byteLength;
    const report: NewItemTuningReport = {
      command: config.command,
      bundle: config.bundleDir,
      bundleVersion: manifest.version,
      dataset: config.datasetDir,
      validSessions: valid.length,
      backend,
      validBefore,
      validAfter,
      training,
      out: config.outDir,
      outVersion: out.manifest.version,
      bytes,
    };
    writeReport(config.reportPath, report);
    log(`wrote ${config.outDir} (${bytes} bytes; no head: fit one with pnpm train repeat-head)`);
    return report;
  } finally {
    model.dispose();
  }
}
