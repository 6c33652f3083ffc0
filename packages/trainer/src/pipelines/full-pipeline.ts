// The whole shipped recipe in one call (`pnpm train pipeline --dataset <dir>`): teacher → compositional
// student → head (popularity prior where the dataset row gives prior depths, and the repeat head) →
// compact → eval (protocol, --by-repeat, --exclude-seen), each stage through its own pipeline function
// with the dataset table's defaults. Resumable: a state file (<out>/pipeline-state.json, written
// atomically) records the finished stages; a rerun with resume skips them and resumes the interrupted
// training stage from its checkpoint. Budget: maxMinutes of this process is split over the stages still
// to run by stageShares.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readDataset } from '../data/index.ts';
import { evaluateBundle, roundMetrics } from '../eval/index.ts';
import { datasetDefaults } from '../model/dataset-defaults.ts';
import { compactBundlePipeline, compactConfig } from './compact.ts';
import { fitRepeatHeadPipeline, repeatHeadConfig } from './repeat-head.ts';
import { commandLine } from './report.ts';
import { studentConfig, trainStudentPipeline } from './student.ts';
import { teacherConfig, trainTeacherPipeline } from './teacher.ts';

export const STAGES = ['teacher', 'student', 'head', 'compact', 'eval'] as const;
export type Stage = (typeof STAGES)[number];

/** Share of the budget the head, compact and eval stages get together (they train nothing). */
export const FINISH_SHARE = 0.1;

/**
 * Minutes per stage of a `total` budget: 1 − FINISH_SHARE split between teacher and student as the
 * dataset's shipped stages took (Tmall 60 : 62, RetailRocket 60 : 150, another dataset 1 : 1), the rest
 * to head, compact and eval evenly; only over the stages in `todo` (renormalised).
 */
export function stageShares(
  total: number,
  stageMinutes: { teacher: number; student: number },
  todo: readonly Stage[] = STAGES,
): Partial<Record<Stage, number>> {
  const train = stageMinutes.teacher + stageMinutes.student;
  const weight: Record<Stage, number> = {
    teacher: ((1 - FINISH_SHARE) * stageMinutes.teacher) / train,
    student: ((1 - FINISH_SHARE) * stageMinutes.student) / train,
    head: FINISH_SHARE / 3,
    compact: FINISH_SHARE / 3,
    eval: FINISH_SHARE / 3,
  };
  const sum = todo.reduce((s, st) => s + weight[st], 0);
  return Object.fromEntries(todo.map((st) => [st, (total * weight[st]) / sum]));
}

export interface PipelineOptions {
  datasetDir: string;
  out?: string;
  /** This process's budget in minutes, split over the stages to run; undefined = each stage's recipe. */
  maxMinutes?: number;
  resume: boolean;
  backend?: string;
  progress: boolean;
  /** Test hook: called after each finished stage (a test throws here to simulate a kill). */
  afterStage?: (stage: Stage) => void;
  /** Extra flags per training stage (tests: a tiny model); they override the recipe. */
  stageFlags?: { teacher?: Record<string, string>; student?: Record<string, string> };
}

interface PipelineState {
  dataset: string;
  stages: Partial<Record<Stage, { status: 'done'; seconds: number }>>;
  eval?: Record<string, EvalResult>;
}

type Metrics = Record<string, number>;
/** pnpm eval --by-repeat's numbers: every case, the repeat cases, the new-item cases. */
interface EvalResult {
  all: Metrics;
  repeat: Metrics | null;
  newItem: Metrics | null;
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export async function runFullPipeline(opts: PipelineOptions) {
  const log = (l: string) => process.stderr.write(`pipeline: ${l}\n`);
  const datasetDir = resolve(opts.datasetDir);
  const data = readDataset(datasetDir);
  const out = resolve(opts.out ?? join('runs', `${data.name}-pipeline`));
  mkdirSync(out, { recursive: true });
  const statePath = join(out, 'pipeline-state.json');
  const state: PipelineState =
    opts.resume && existsSync(statePath)
      ? (JSON.parse(readFileSync(statePath, 'utf8')) as PipelineState)
      : { dataset: data.name, stages: {} };
  const save = () => writeAtomic(statePath, JSON.stringify(state, null, 2) + '\n');
  const row = datasetDefaults(data.name);
  const todo = STAGES.filter((s) => !state.stages[s]);
  const budget = opts.maxMinutes === undefined ? {} : stageShares(opts.maxMinutes, row.stageMinutes, todo);
  log(
    `${data.name} (${row.row} row) → ${out}; stages to run: ${todo.join(', ') || 'none'}` +
      (opts.maxMinutes === undefined
        ? ' (each on its recipe schedule)'
        : `; ${opts.maxMinutes} min split ${JSON.stringify(Object.fromEntries(Object.entries(budget).map(([k, v]) => [k, Number(v.toFixed(1))])))}`),
  );
  const started = performance.now();
  const dir = (s: string) => join(out, s);
  const common = {
    dataset: datasetDir,
    resume: opts.resume,
    l2: '1e-5',
    patience: '2',
    validFraction: '0.1',
    checkpointMinutes: '5',
    progress: opts.progress,
    ...(opts.backend ? { backend: opts.backend } : {}),
  };
  const minutes = (s: Stage) => (budget[s] === undefined ? {} : { maxMinutes: String(budget[s]) });
  const bundleOf = { teacher: join(dir('teacher'), 'bundle'), student: join(dir('student'), 'bundle') };

  const stages: Record<Stage, () => Promise<void>> = {
    teacher: async () => {
      await trainTeacherPipeline(
        teacherConfig({
          ...common,
          out: bundleOf.teacher,
          report: join(dir('teacher'), 'report.json'),
          checkpoint: join(dir('teacher'), 'checkpoint'),
          seed: '42',
          maxLen: '50',
          tableDtype: 'float32',
          loss: 'auto',
          validMaxSessions: '3000',
          test: true,
          ...minutes('teacher'),
          ...opts.stageFlags?.teacher,
        }),
      );
    },
    student: async () => {
      const flags = {
        ...common,
        teacher: bundleOf.teacher,
        out: bundleOf.student,
        report: join(dir('student'), 'report.json'),
        checkpoint: join(dir('student'), 'checkpoint'),
        teacherOut: join(dir('student'), 'teacher-after-kd'),
        loss: 'sampled',
        contrastive: true,
        bidirectional: true,
        softTargets: true,
        mixup: true,
        kd: true,
        etaAnneal: '0.6',
        validLimit: '2000',
        gumbelTemperature: '0.3',
        initEncoder: 'teacher',
        codeWarmupSteps: '300',
        tableDtype: 'float32',
        teacherTest: false,
        codeInit: 'rq',
        codeMargin: '4',
        ...minutes('student'),
        ...opts.stageFlags?.student,
      };
      await trainStudentPipeline(studentConfig(flags));
    },
    head: async () => {
      const { hyper } = JSON.parse(readFileSync(join(bundleOf.student, 'manifest.json'), 'utf8')) as {
        hyper: { dim: number; M: number; K: number };
      };
      const depths = row.priorDepths({ numItems: data.numItems, ...hyper });
      log(`head: prior depths ${depths.join(',') || 'none (no prior)'} (${row.row} row)`);
      await fitRepeatHeadPipeline(
        repeatHeadConfig(
          {
            bundle: bundleOf.student,
            dataset: datasetDir,
            out: dir('head'),
            report: join(out, 'head-report.json'),
            recencyRanks: '10',
            l2: '1e-4',
            validFraction: '0.1',
            tune: true,
            tuneObjective: 'p10+ndcg10',
            prior: depths.length > 0,
            priorWeights: '0.1,0.2,0.3,0.5,0.7,1',
            priorDepths: depths.length ? depths.join(',') : '1000',
            priorHalfLives: '0,5000,10000,20000',
            priorRecentFraction: '0.25',
          },
          commandLine(),
        ),
      );
    },
    compact: async () => {
      const report = await compactBundlePipeline(
        compactConfig(
          {
            bundle: dir('head'),
            out: dir('bundle'),
            float16: 'all',
            int8: 'none',
            packCodes: true,
            headFraction: '0.1',
            dataset: datasetDir,
          },
          commandLine(),
        ),
      );
      writeAtomic(join(out, 'compact-report.json'), JSON.stringify(report, null, 2) + '\n');
    },
    eval: async () => {
      const run = async (excludeSeen: boolean): Promise<EvalResult> => {
        const r = await evaluateBundle({ bundleDir: dir('bundle'), datasetDir, byRepeat: true, excludeSeen });
        return {
          all: roundMetrics(r.metrics),
          repeat: r.repeat ? roundMetrics(r.repeat) : null,
          newItem: r.newItem ? roundMetrics(r.newItem) : null,
        };
      };
      state.eval = { protocol: await run(false), excludeSeen: await run(true) };
    },
  };

  for (const stage of todo) {
    const spentMin = (performance.now() - started) / 60_000;
    if (opts.maxMinutes !== undefined && spentMin >= opts.maxMinutes) {
      log(`budget of ${opts.maxMinutes} min spent before ${stage}: stopping; rerun with --resume to go on`);
      save();
      return { finished: false, out, state };
    }
    log(`stage ${stage}${budget[stage] !== undefined ? ` (${budget[stage].toFixed(1)} min)` : ''}`);
    const t0 = performance.now();
    await stages[stage]();
    state.stages[stage] = { status: 'done', seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) };
    save();
    opts.afterStage?.(stage);
  }
  writeSummary(out, state);
  log(`done: bundle ${dir('bundle')}, summary ${join(out, 'summary.md')}`);
  return { finished: true, out, state };
}

function writeSummary(out: string, state: PipelineState): void {
  writeAtomic(join(out, 'report.json'), JSON.stringify(state, null, 2) + '\n');
  const lines = [
    `# Pipeline: ${state.dataset}`,
    '',
    '| stage | wall seconds (last run of it) |',
    '|---|---:|',
    ...STAGES.map((s) => `| ${s} | ${state.stages[s]?.seconds ?? '—'} |`),
    '',
    '| eval | P@10 | NDCG@10 | repeat P@10 | new-item P@10 |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const [name, m] of Object.entries(state.eval ?? {}) as [string, EvalResult][])
    lines.push(
      `| ${name} | ${m.all['P@10']} | ${m.all['NDCG@10']} | ${m.repeat?.['P@10'] ?? '—'} | ${m.newItem?.['P@10'] ?? '—'} |`,
    );
  writeAtomic(join(out, 'summary.md'), lines.join('\n') + '\n');
}
