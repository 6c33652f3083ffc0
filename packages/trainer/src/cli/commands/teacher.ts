// `pnpm train teacher`: trains SASRec + soft-attention readout with a full item table (SPEC §3),
// writes the `full` bundle and a JSON report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendName } from '../../train/backend.ts';
import { readDataset } from '../../data/index.ts';
import { splitValidation } from '../../data/index.ts';
import { createTeacher, teacherPreset } from '../../model/teacher.ts';
import { trainModel } from '../../train/loop.ts';
import { evaluateCases } from '../../train/evaluate.ts';
import { exportModelBundle } from '../../train/export-bundle.ts';
import { popularityCounts, sessionPopularityOrder } from '../../data/index.ts';
import { NegativeSampler } from '../../train/sampled-softmax.ts';
import { num } from '../flags.ts';

interface TeacherFlags {
  dataset: string;
  out?: string;
  report?: string;
  checkpoint?: string;
  epochs: string;
  seed: string;
  maxMinutes: string;
  resume?: boolean;
  dim?: string;
  heads?: string;
  blocks?: string;
  dropout?: string;
  maxLen: string;
  lr: string;
  l2: string;
  batchPositions: string;
  patience: string;
  embScale?: string;
  validFraction: string;
  tableDtype: string;
  backend?: string;
  checkpointMinutes: string;
  progress: boolean;
  loss: string;
  negatives: string;
  validMaxSessions: string;
  trainMaxSessions?: string;
  test: boolean;
}

export function registerTeacherCommand(program: Command): void {
  program
    .command('teacher')
    .description(
      'train the teacher (SASRec + soft-attention readout, full item table) and export a `full` bundle',
    )
    .requiredOption('--dataset <dir>', 'dataset folder (train.txt, test.txt, dataset.json)')
    .option('--out <dir>', 'bundle folder (default apps/demo-shop/public/models/<dataset>-teacher)')
    .option('--report <file>', 'report JSON (default results/teacher/<dataset>.json)')
    .option('--checkpoint <dir>', 'checkpoint folder (default runs/teacher-<dataset>)')
    .option('--resume', 'continue from the checkpoint')
    .option('--epochs <n>', 'maximum epochs', '30')
    .option('--seed <n>', 'seed (init, batching, dropout, validation split)', '42')
    .option('--max-minutes <t>', 'training wall-time budget in minutes (validation included)', '600')
    .option('--dim <n>', 'embedding size N (paper: Tmall 128, RetailRocket 256)')
    .option('--heads <n>', 'attention heads (paper: Tmall 1, RetailRocket 2)')
    .option('--blocks <n>', 'self-attention blocks (paper: 1)')
    .option('--dropout <p>', 'dropout (paper: Tmall 0.5, RetailRocket 0.2)')
    .option('--max-len <n>', 'items of a session the model reads', '50')
    .option('--lr <x>', 'Adam learning rate', '1e-3')
    .option('--l2 <x>', 'L2 regularisation', '1e-5')
    .option('--batch-positions <n>', 'positions (prefix predictions) per batch', '512')
    .option('--patience <n>', 'early stopping patience (epochs)', '2')
    .option('--emb-scale <x>', 'item embedding scale before adding positions (default sqrt(N), as SASRec)')
    .option('--valid-fraction <x>', 'share of training sessions held out for validation', '0.1')
    .option('--table-dtype <t>', 'float32 | float16 for the item table in the bundle', 'float32')
    .option(
      '--backend <name>',
      'tensorflow | wasm | cpu | webgpu (GPU via the optional `webgpu` package; default: tensorflow if installed, else wasm)',
    )
    .option('--checkpoint-minutes <t>', 'minutes between mid-epoch checkpoints', '5')
    .option(
      '--loss <kind>',
      'full (cross-entropy over all items) | sampled (shared popularity negatives, logQ-corrected) | auto ' +
        '(full on tensorflow/webgpu; sampled on wasm/cpu, where a full-softmax epoch takes over an hour)',
      'auto',
    )
    .option('--negatives <n>', 'negatives per batch for --loss sampled', '2048')
    .option(
      '--valid-max-sessions <n>',
      'validate each epoch on the first n held-out sessions (all-item ranking costs V·N per position)',
      '3000',
    )
    .option('--train-max-sessions <n>', 'train on the first n training sessions only (quick comparisons)')
    .option('--no-test', 'skip the test-set evaluation (quick comparisons; the bundle is still written)')
    .option('--no-progress', 'no progress bar')
    .action(async (flags: TeacherFlags) => {
      await runTeacher(flags);
    });
}

async function runTeacher(flags: TeacherFlags): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const backend = await selectBackend(flags.backend as BackendName | undefined);
  const data = readDataset(resolve(flags.dataset));
  const preset = teacherPreset(data.name);
  const dim = flags.dim ? num(flags.dim, 'dim', { integer: true, min: 1 }) : preset.dim;
  const hyper = {
    dim,
    heads: flags.heads ? num(flags.heads, 'heads', { integer: true, min: 1 }) : preset.heads,
    blocks: flags.blocks ? num(flags.blocks, 'blocks', { integer: true, min: 1 }) : preset.blocks,
    dropout: flags.dropout ? num(flags.dropout, 'dropout', { min: 0 }) : preset.dropout,
    maxLen: num(flags.maxLen, 'max-len', { integer: true, min: 1 }),
    embScale: flags.embScale ? num(flags.embScale, 'emb-scale', { min: 0 }) : Math.sqrt(dim),
    layerNormEps: preset.layerNormEps,
  };
  const seed = num(flags.seed, 'seed', { integer: true, min: 0 });
  if (flags.tableDtype !== 'float32' && flags.tableDtype !== 'float16')
    throw new RangeError(`--table-dtype: expected float32 or float16, got "${flags.tableDtype}"`);
  const split = splitValidation(data.trainSessions, {
    fraction: num(flags.validFraction, 'valid-fraction', { min: 0 }),
    seed: seed,
  });
  const out = resolve(flags.out ?? `apps/demo-shop/public/models/${data.name}-teacher`);
  const reportPath = resolve(flags.report ?? `results/teacher/${data.name}.json`);
  const checkpointDir = resolve(flags.checkpoint ?? `runs/teacher-${data.name}`);
  process.stderr.write(
    `teacher on ${data.name}: ${data.numItems} items, ${split.train.length} train / ${split.valid.length} valid sessions, ` +
      `${data.testCases.length} test cases; backend ${backend}; hyper ${JSON.stringify(hyper)}\n`,
  );
  const model = createTeacher(data.numItems, hyper, seed);
  if (flags.loss === 'auto')
    flags.loss = backend === 'tensorflow' || backend === 'webgpu' ? 'full' : 'sampled';
  if (flags.loss !== 'full' && flags.loss !== 'sampled')
    throw new RangeError(`--loss: expected full, sampled or auto, got "${flags.loss}"`);
  const negatives = num(flags.negatives, 'negatives', { integer: true, min: 1 });
  const loss =
    flags.loss === 'sampled'
      ? {
          kind: 'sampled' as const,
          sampler: new NegativeSampler(popularityCounts(split.train, data.numItems), negatives),
        }
      : { kind: 'full' as const };
  const options = {
    epochs: num(flags.epochs, 'epochs', { integer: true, min: 1 }),
    lr: num(flags.lr, 'lr', { min: 0 }),
    l2: num(flags.l2, 'l2', { min: 0 }),
    positionsPerBatch: num(flags.batchPositions, 'batch-positions', { integer: true, min: 1 }),
    seed,
    patience: num(flags.patience, 'patience', { integer: true, min: 1 }),
    maxMinutes: num(flags.maxMinutes, 'max-minutes', { min: 0 }),
    checkpointDir,
    checkpointEveryMinutes: num(flags.checkpointMinutes, 'checkpoint-minutes', { min: 0 }),
    resume: Boolean(flags.resume),
    progress: flags.progress,
    loss,
  };
  const validMax = num(flags.validMaxSessions, 'valid-max-sessions', { integer: true, min: 1 });
  const trainSessions = flags.trainMaxSessions
    ? split.train.slice(0, num(flags.trainMaxSessions, 'train-max-sessions', { integer: true, min: 1 }))
    : split.train;
  const result = await trainModel(
    model,
    { train: trainSessions, valid: split.valid.slice(0, validMax) },
    options,
  );
  process.stderr.write(`training stopped: ${result.stopReason}; best epoch ${result.bestEpoch}\n`);
  const tTest = performance.now();
  const test = flags.test ? await evaluateCases(model, data.testCases) : {};
  const testSeconds = (performance.now() - tTest) / 1000;
  process.stderr.write(`test (trainer's tfjs scoring): ${JSON.stringify(test)}\n`);
  const headline = flags.test
    ? { 'P@10': round(test['P@10']!), 'NDCG@10': round(test['NDCG@10']!), 'MRR@10': round(test['MRR@10']!) }
    : undefined;
  const bundleBytes = await exportModelBundle(out, model, {
    popularity: sessionPopularityOrder(data.trainSessions, data.numItems),
    vocabulary: data.vocabulary,
    tableDtype: flags.tableDtype,
    metrics: headline,
    info: {
      dataset: data.name,
      model: 'teacher',
      dropout: hyper.dropout,
      seed,
      bestEpoch: result.bestEpoch,
      command: `pnpm train ${process.argv.slice(2).join(' ')}`,
    },
  });
  const epochs = result.history;
  const fullEpochs = epochs.filter((e) => e.completed === 1);
  const report = {
    model: 'teacher',
    kind: 'full',
    dataset: {
      name: data.name,
      dir: resolve(flags.dataset),
      numItems: data.numItems,
      trainSessions: trainSessions.length,
      validSessions: split.valid.length,
      validSessionsScoredPerEpoch: Math.min(split.valid.length, validMax),
      testCases: data.testCases.length,
    },
    configuration: {
      ...hyper,
      ...options,
      loss:
        flags.loss === 'full'
          ? 'full softmax (cross-entropy over all items)'
          : `sampled softmax: ${negatives} shared negatives per batch, q ∝ (count+1)^0.75, logQ correction`,
      optimizer: 'Adam',
      init: 'U(-0.1, 0.1)',
      tableDtype: flags.tableDtype,
      backend,
    },
    epochs,
    bestEpoch: result.bestEpoch,
    stopReason: result.stopReason,
    test,
    testSecondsTrainerScoring: testSeconds,
    bundle: { dir: out, bytes: bundleBytes },
    // training wall time accumulates over resumed processes; this process also read data, tested, exported
    trainingWallSeconds: result.elapsedSeconds,
    wallSeconds: result.elapsedSeconds + (performance.now() - tTest) / 1000,
    thisProcessSeconds: (performance.now() - t0) / 1000,
    trainSeconds: result.trainSeconds,
    secondsPerEpoch: fullEpochs.length
      ? fullEpochs.reduce((s, e) => s + e.trainSeconds, 0) / fullEpochs.length
      : null,
    achievedGflops: result.flops / result.trainSeconds / 1e9,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryBytes: totalmem(),
      node: process.version,
      tfjs: tf.version_core,
      backend,
    },
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
  process.stderr.write(`bundle ${out} (${bundleBytes} bytes), report ${reportPath}\n`);
  model.dispose();
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
