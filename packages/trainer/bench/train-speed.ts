// Training throughput, step by step (issue 18): the real training steps of every model on batches of a
// real dataset (Tmall- and RetailRocket-shaped by default), timed after warm-up. Per step kind: examples
// (loss positions) per second, nominal GFLOP/s (train/loop.ts stepFlops: encoder + softmax, ×2 for KD's
// two models), peak RSS, wasm heap, tensors left behind per step (churn), with the backend and threads.
//   pnpm bench:train [--quick] [--compare] [--threads N] [--dataset <dir> …] [--kinds teacher-sampled,…] [--backend wasm]
// Writes results/train-speed/latest.{json,md} (--quick: bench/.cache/train-speed-quick.{json,md}).
// One heavy job at a time: another training run beside this one makes every number here false.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { hotColdSplit, popularityCounts, readDataset } from '../src/data/index.ts';
import {
  Distiller,
  FULL_KD,
  NO_KD,
  paperKdDefaults,
  type SessionModel as KdModel,
} from '../src/kd/distiller.ts';
import { Backbone, type BackboneHyper } from '../src/model/backbone.ts';
import { CompositionalItemTable, setSoftCodeChunkRows } from '../src/model/compositional.ts';
import { FullItemTable } from '../src/model/full-table.ts';
import { SessionModel } from '../src/model/session-model.ts';
import { SttdItemTable } from '../src/model/sttd-table.ts';
import { createTeacher, teacherPreset } from '../src/model/teacher.ts';
import { tensorTrainConfig } from '../src/model/tt-configs.ts';
import { TtItemTable } from '../src/model/tt-table.ts';
import { selectBackend, type BackendName } from '../src/train/backend.ts';
import { wasmThreadsCount } from '../src/train/wasm-threads.ts';
import { makeBatches, sessionWindows, type Batch } from '../src/train/batches.ts';
import { stepFlops, teacherStepLoss } from '../src/train/loop.ts';
import { NegativeSampler } from '../src/train/sampled-softmax.ts';
import { setFullSoftmaxTableGradient, type TableGradientOrder } from '../src/train/full-softmax.ts';

const KINDS = ['teacher-sampled', 'teacher-full', 'student-stage1', 'student-kd', 'tt', 'sttd'] as const;
type Kind = (typeof KINDS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    dataset: { type: 'string', multiple: true },
    kinds: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    'batch-positions': { type: 'string', default: '512' },
    negatives: { type: 'string', default: '2048' },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
    /** Also time the previous paths (before this issue's changes, and 1 thread) on every step kind. */
    compare: { type: 'boolean' },
    /** Threads of the threaded path (default: every core). */
    threads: { type: 'string' },
    /** Internal: run one row (JSON { dir, kind, path }) in this process. */
    row: { type: 'string' },
  },
});
const quick = values.quick!;
const datasets = values.dataset ?? [
  '../shared/datasets/tmall',
  ...(quick ? [] : ['../shared/datasets/retailrocket']),
];
const kinds = (values.kinds?.split(',') ?? [...KINDS]) as Kind[];
for (const k of kinds)
  if (!KINDS.includes(k)) throw new Error(`--kinds: unknown "${k}" (known: ${KINDS.join(', ')})`);
const positionsPerBatch = Number(values['batch-positions']);
const negatives = Number(values.negatives);
const warmup = quick ? 1 : 2;
const timedSteps = quick ? 2 : 6;
/**
 * The code paths a run compares. 'before' = as the trainer was: the full-softmax table gradient as
 * (θᵀ·softmax)ᵀ, the students' whole-table soft codes by autodiff, tfjs-wasm's stock single-threaded build;
 * 'after-1t' = softmaxᵀ·θ, and the soft codes chunk by chunk with a recomputing backward
 * (model/chunked-soft-codes.ts), still on one thread; 'after-Nt' = the same on the threaded build
 * (train/wasm-threads.ts), N threads.
 */
const threadsWanted = Number(values.threads ?? availableParallelism());
if (!Number.isInteger(threadsWanted) || threadsWanted < 1 || threadsWanted > 8)
  throw new Error(`--threads: expected an integer 1…8, got "${values.threads}"`);
const compare = values.compare ?? !quick;
interface CodePath {
  name: string;
  tableGradient: TableGradientOrder;
  softCodeChunkRows: number | 'auto';
  threads: number;
}
const PATHS: CodePath[] = [
  ...(compare
    ? [{ name: 'before', tableGradient: 'theta-transposed' as const, softCodeChunkRows: 0, threads: 1 }]
    : []),
  ...(compare || threadsWanted === 1
    ? [
        {
          name: 'after-1t',
          tableGradient: 'probs-transposed' as const,
          softCodeChunkRows: 'auto' as const,
          threads: 1,
        },
      ]
    : []),
  ...(threadsWanted > 1
    ? [
        {
          name: `after-${threadsWanted}t`,
          tableGradient: 'probs-transposed' as const,
          softCodeChunkRows: 'auto' as const,
          threads: threadsWanted,
        },
      ]
    : []),
];
const outBase = resolve(
  values.out ?? (quick ? 'bench/.cache/train-speed-quick' : 'results/train-speed/latest'),
);

interface Row {
  dataset: string;
  kind: Kind;
  path: string;
  /** XNNPACK's pool as the backend reported it (null off wasm). */
  threads: number | null;
  steps: number;
  positionsPerStep: number;
  msPerStep: number;
  examplesPerSecond: number;
  nominalGflops: number;
  peakRssMB: number;
  wasmHeapMB: number | null;
  tensorsLeftPerStep: number;
  /** --profile: one more step under tf.profile, kernel time summed by kernel name, products by shape (top 12). */
  profile?: { kernel: string; ms: number; calls: number }[];
  /** --profile: tf.profile's peak bytes of live tensors during that step (MB), and the kernels that allocated most. */
  profilePeakMB?: number;
  profileLargest?: { kernel: string; MB: number }[];
  error?: string;
}

/** Bytes of the wasm backend's heap (its linear memory), null on other backends. */
function wasmHeapBytes(): number | null {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength ?? null;
}

const mb = (bytes: number) => bytes / 2 ** 20;

/** One row in this process: the child side of main(). Prints the row as JSON on its last stdout line. */
async function runRow(spec: { dir: string; kind: Kind; path: Row['path'] }): Promise<void> {
  const path = PATHS.find((p) => p.name === spec.path)!;
  await selectBackend(values.backend as BackendName, path.threads);
  const data = readDataset(resolve(spec.dir));
  const preset = teacherPreset(data.name);
  const hyper: BackboneHyper = { ...preset, embScale: Math.sqrt(preset.dim) };
  const windows = data.trainSessions.flatMap((s) => sessionWindows(s, hyper.maxLen));
  const batches = makeBatches(windows, positionsPerBatch, 7);
  const counts = popularityCounts(data.trainSessions, data.numItems);
  const hot = hotColdSplit(counts, 0.2);
  const kd = paperKdDefaults(data.name);
  const weights = { beta: kd.beta, gamma: kd.gamma, tau: kd.tau, l2: 1e-5 };
  setFullSoftmaxTableGradient(path.tableGradient);
  setSoftCodeChunkRows(path.softCodeChunkRows);
  const row = await timeKind(
    spec.kind,
    spec.path,
    data.name,
    data.numItems,
    hyper,
    batches,
    counts,
    hot,
    weights,
  );
  process.stdout.write(`\nROW ${JSON.stringify({ ...row, threads: wasmThreadsCount() })}\n`);
}

/**
 * Every row in a fresh process (this script again, with --row): a step that runs the wasm heap out of
 * memory aborts the backend for good, and peak RSS / heap belong to one step kind only.
 */
function spawnRow(spec: { dir: string; kind: Kind; path: Row['path'] }): Row {
  const flags = process.argv.slice(2).filter((a, i, all) => a !== '--row' && all[i - 1] !== '--row');
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, process.argv[1]!, ...flags, '--row', JSON.stringify(spec)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 },
  );
  const line = child.stdout.split('\n').find((l) => l.startsWith('ROW '));
  if (line) return JSON.parse(line.slice(4)) as Row;
  return {
    dataset: basename(spec.dir),
    kind: spec.kind,
    path: spec.path,
    threads: PATHS.find((p) => p.name === spec.path)!.threads,
    positionsPerStep: positionsPerBatch,
    steps: 0,
    msPerStep: NaN,
    examplesPerSecond: NaN,
    nominalGflops: NaN,
    peakRssMB: NaN,
    wasmHeapMB: null,
    tensorsLeftPerStep: NaN,
    error: `failed: the process ended with ${child.signal ?? `exit code ${child.status}`}${child.stdout.trim() ? ` (${child.stdout.trim().split('\n').pop()!.slice(0, 120)})` : ''}`,
  };
}

async function main(): Promise<void> {
  const backend = values.backend as BackendName;
  const rows: Row[] = [];
  const started = performance.now();
  const load0 = loadavg()[0];
  for (const dir of datasets) {
    for (const kind of kinds) {
      // teacher-sampled never runs the full-softmax gradient or soft codes: 'before' is 'after-1t' there.
      for (const path of kind === 'teacher-sampled' ? PATHS.filter((p) => p.name !== 'before') : PATHS) {
        const row = spawnRow({ dir, kind, path: path.name });
        rows.push(row);
        console.log(
          `${row.dataset} ${kind} (${path.name}): ${row.error ?? `${row.msPerStep.toFixed(0)} ms/step, ${row.examplesPerSecond.toFixed(0)} examples/s, ${row.nominalGflops.toFixed(2)} GFLOP/s, RSS ${row.peakRssMB.toFixed(0)} MB, wasm heap ${row.wasmHeapMB?.toFixed(0) ?? '—'} MB, ${row.tensorsLeftPerStep} tensors left/step`}`,
        );
      }
    }
  }
  const report = {
    command: `pnpm bench:train${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}`,
    date: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverageStart: load0,
      loadAverageEnd: loadavg()[0],
    },
    backend,
    threads: threadsWanted,
    positionsPerBatch,
    negatives,
    warmupSteps: warmup,
    rows,
  };
  mkdirSync(join(outBase, '..'), { recursive: true });
  writeFileSync(`${outBase}.json`, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(`${outBase}.md`, markdown(report));
  console.log(`wrote ${outBase}.{json,md} (${report.seconds.toFixed(0)} s)`);
}

/** The model and the one step a kind times; `step(batch, i)` runs one optimizer step. */
function setUp(
  kind: Kind,
  name: string,
  numItems: number,
  hyper: BackboneHyper,
  counts: Uint32Array,
  hot: Uint8Array,
  weights: { beta: number; gamma: number; tau: number; l2: number },
): { step: (b: Batch, i: number) => void; flops: (b: Batch) => number; dispose: () => void } {
  const optimizer = tf.train.adam(1e-3);
  if (kind === 'teacher-sampled' || kind === 'teacher-full') {
    const model = createTeacher(numItems, hyper, 1);
    const vars = model.variables();
    const loss =
      kind === 'teacher-sampled'
        ? ({ kind: 'sampled', sampler: new NegativeSampler(counts, negatives) } as const)
        : undefined;
    const opts = { loss, l2: 1e-5 };
    return {
      step: (b, i) => {
        const cost = optimizer.minimize(() => teacherStepLoss(model, b, opts, vars, i + 1), true, vars);
        cost!.dataSync();
        cost!.dispose();
      },
      flops: (b) => stepFlops(model, b, loss?.sampler.negatives),
      dispose: () => {
        optimizer.dispose();
        tf.dispose(vars);
      },
    };
  }
  // Students: the teacher's table is the code MLP's input and L_mse's target (random here: speed only).
  const teacher = createTeacher(numItems, hyper, 2);
  const teacherItems = (teacher.table as FullItemTable).items;
  const table =
    kind === 'tt' || kind === 'sttd'
      ? (() => {
          const c = tensorTrainConfig(kind, '30x', name, numItems, hyper.dim);
          return c.kind === 'tt'
            ? new TtItemTable(numItems, hyper.dim, { p: c.p, q: c.q, ranks: c.ranks, seed: 3 })
            : new SttdItemTable(numItems, hyper.dim, { I: c.I, J: c.J, rank: c.rank, t: c.t, seed: 3 });
        })()
      : (() => {
          const rr = /retail/i.test(name);
          const t = new CompositionalItemTable(() => teacherItems, {
            M: rr ? 3 : 4,
            K: rr ? 256 : 32,
            mixup: rr ? 0.7 : 0.8,
            seed: 3,
          });
          t.ensureCodeOffsets(); // the shipped recipe trains the per-item code logits (residual k-means init)
          return t;
        })();
  const student: KdModel = new SessionModel(new Backbone(hyper, { seed: 4 }), table);
  const distiller = new Distiller(hyper.dim, kind === 'student-kd' ? FULL_KD : NO_KD, weights, 1);
  const studentModel = student as SessionModel;
  return {
    step: (b, i) => {
      distiller.step(b, student, kind === 'student-kd' ? teacher : null, hot, i + 1, optimizer);
    },
    flops: (b) => stepFlops(studentModel, b) * (kind === 'student-kd' ? 2 : 1),
    dispose: () => {
      optimizer.dispose();
      distiller.dispose();
      tf.dispose([...teacher.variables(), ...student.backbone.variables(), ...table.variables()]);
    },
  };
}

async function timeKind(
  kind: Kind,
  path: Row['path'],
  name: string,
  numItems: number,
  hyper: BackboneHyper,
  batches: Batch[],
  counts: Uint32Array,
  hot: Uint8Array,
  weights: { beta: number; gamma: number; tau: number; l2: number },
): Promise<Row> {
  const base = { dataset: name, kind, path, positionsPerStep: positionsPerBatch };
  let subject: ReturnType<typeof setUp> | null = null;
  try {
    subject = setUp(kind, name, numItems, hyper, counts, hot, weights);
    // Full batches only (the last one of an epoch is smaller), spread over the epoch's lengths.
    const full = batches.filter((b) => b.positions.length >= positionsPerBatch * 0.9);
    const pick = (i: number) => full[Math.floor((i * full.length) / (warmup + timedSteps))]!;
    for (let i = 0; i < warmup; i++) subject.step(pick(i), i);
    const tensors0 = tf.memory().numTensors;
    let ms = 0;
    let positions = 0;
    let flops = 0;
    for (let i = warmup; i < warmup + timedSteps; i++) {
      const b = pick(i);
      const t0 = performance.now();
      subject.step(b, i);
      ms += performance.now() - t0;
      positions += b.positions.length;
      flops += subject.flops(b);
      await new Promise((r) => setImmediate(r));
    }
    const heap = wasmHeapBytes();
    const profiled = values.profile ? await profileStep(subject, pick(0)) : undefined;
    return {
      ...base,
      ...(profiled ?? {}),
      steps: timedSteps,
      msPerStep: ms / timedSteps,
      examplesPerSecond: positions / (ms / 1000),
      nominalGflops: flops / ms / 1e6,
      peakRssMB: process.resourceUsage().maxRSS / 1024, // this process runs one row
      wasmHeapMB: heap === null ? null : mb(heap),
      tensorsLeftPerStep: (tf.memory().numTensors - tensors0) / timedSteps,
    };
  } catch (err) {
    return {
      ...base,
      steps: 0,
      msPerStep: NaN,
      examplesPerSecond: NaN,
      nominalGflops: NaN,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      wasmHeapMB: wasmHeapBytes() === null ? null : mb(wasmHeapBytes()!),
      tensorsLeftPerStep: NaN,
      error: `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    };
  } finally {
    subject?.dispose();
  }
}

/** One step under tf.profile: kernel milliseconds summed per kernel name, the 10 largest. */
async function profileStep(
  subject: ReturnType<typeof setUp>,
  batch: Batch,
): Promise<Pick<Row, 'profile' | 'profilePeakMB' | 'profileLargest'>> {
  const info = await tf.profile(() => subject.step(batch, 999));
  const largest = new Map<string, number>();
  for (const k of info.kernels) {
    const key = `${k.name} → [${k.outputShapes.map((x) => x?.join('×')).join(', ')}]`;
    largest.set(key, Math.max(largest.get(key) ?? 0, k.bytesAdded));
  }
  const by = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    // Products by shape too: which of them is slow is what decides the next optimisation.
    const name =
      k.name === 'BatchMatMul'
        ? `BatchMatMul ${k.inputShapes.map((x) => `[${x?.join('×') ?? '?'}]`).join('·')}`
        : k.name;
    const e = by.get(name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls++;
    by.set(name, e);
  }
  return {
    profile: [...by.entries()]
      .map(([kernel, e]) => ({ kernel, ...e }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 12),
    profilePeakMB: mb(info.peakBytes),
    profileLargest: [...largest.entries()]
      .map(([kernel, bytes]) => ({ kernel, MB: mb(bytes) }))
      .sort((a, b) => b.MB - a.MB)
      .slice(0, 6),
  };
}

function markdown(r: {
  command: string;
  date: string;
  seconds: number;
  machine: Record<string, unknown>;
  backend: string;
  threads: number | null;
  positionsPerBatch: number;
  negatives: number;
  warmupSteps: number;
  rows: Row[];
}): string {
  const m = r.machine;
  const lines = [
    '# Training speed',
    '',
    `Run ${r.date} with \`${r.command}\` (${r.seconds.toFixed(0)} s). Backend ${r.backend}; threaded path: ${r.threads} thread(s); ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), Node ${m.node}; load average ${Number(m.loadAverageStart).toFixed(2)} at the start, ${Number(m.loadAverageEnd).toFixed(2)} at the end.`,
    '',
    `Each step: ${r.positionsPerBatch} loss positions (training batches of the dataset, full ones, spread over the epoch), Adam; ${r.warmupSteps} warm-up step(s), then the timed ones. teacher-sampled: ${r.negatives} shared negatives. Students: the shipped shapes (compositional Tmall M=4 K=32, RetailRocket M=3 K=256, per-item code logits trained; tt/sttd at the 30× configurations). GFLOP/s is nominal: stepFlops (encoder + softmax, ×2 for KD's two models), not counting the item tables' own work.`,
    '',
    'Paths: **before** = the trainer as it was: the full-softmax (and soft-target) table gradients as (θᵀ·softmax)ᵀ, the compositional soft codes of the whole table by tfjs autodiff, tfjs-wasm\'s stock build (1 thread); **after-1t** = softmax transposed once, then softmaxᵀ·θ (train/full-softmax.ts), and, where V·M·K ≥ 2^24 (RetailRocket), the soft codes in chunks of 4,096 items with a recomputing backward (model/chunked-soft-codes.ts), still 1 thread; **after-Nt** = the same code on tfjs-wasm\'s threaded SIMD build with N threads (train/wasm-threads.ts; the trainer\'s default now). "× before" = examples/s ÷ the before row, same step kind, same run (teacher-sampled: ÷ after-1t, its code did not change). "threads" = the pool the backend reported.',
    '',
    '| dataset | step | path | threads | ms/step | examples/s | × before | GFLOP/s | peak RSS MB | wasm heap MB | tensors left/step |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...r.rows.map((x) => {
      const same = r.rows.filter((y) => y.dataset === x.dataset && y.kind === x.kind);
      const before = same.find((y) => y.path === 'before') ?? same.find((y) => y.path === 'after-1t');
      const ratio =
        before && before !== x && !before.error && !x.error
          ? `${(x.examplesPerSecond / before.examplesPerSecond).toFixed(2)}×`
          : '';
      return x.error
        ? `| ${x.dataset} | ${x.kind} | ${x.path} | ${x.threads ?? '—'} | ${x.error} | | | | ${x.peakRssMB.toFixed(0)} | ${x.wasmHeapMB?.toFixed(0) ?? '—'} | |`
        : `| ${x.dataset} | ${x.kind} | ${x.path} | ${x.threads ?? '—'} | ${x.msPerStep.toFixed(0)} | ${x.examplesPerSecond.toFixed(0)} | ${ratio} | ${x.nominalGflops.toFixed(2)} | ${x.peakRssMB.toFixed(0)} | ${x.wasmHeapMB?.toFixed(0) ?? '—'} | ${x.tensorsLeftPerStep} |`;
    }),
    '',
  ];
  const profiled = r.rows.filter((x) => x.profile);
  if (profiled.length > 0) {
    lines.push(
      "## Where a step's time goes (tf.profile, kernel ms summed by kernel (products by input shapes), top 12)",
      '',
    );
    for (const x of profiled) {
      const total = x.profile!.reduce((s, k) => s + k.ms, 0);
      lines.push(
        `- **${x.dataset} ${x.kind} (${x.path})**: ` +
          x.profile!.map((k) => `${k.kernel} ${k.ms.toFixed(0)} ms (${k.calls}×)`).join(', ') +
          ` — ${total.toFixed(0)} ms in these. Peak live tensors ${x.profilePeakMB!.toFixed(0)} MB; largest allocations: ` +
          x.profileLargest!.map((k) => `${k.kernel} ${k.MB.toFixed(0)} MB`).join(', '),
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (values.row) await runRow(JSON.parse(values.row) as { dir: string; kind: Kind; path: Row['path'] });
else await main();
