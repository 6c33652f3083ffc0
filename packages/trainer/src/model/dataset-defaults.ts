// The per-dataset defaults, one explicit table: for the two datasets the project ships bundles for, the
// paper's hyper-parameters (EODRec Sec. 6.1.3) and the recipe the shipped bundles were trained with
// (their manifests' `info.command`); for any other dataset a neutral row — values between the paper's two
// rows, or derived from the data — stated with the reason at the start of every run, never silently one
// of the paper's datasets. A dataset matches a row by name (case-insensitive substring, as the shipped
// folders are named).
//
// What every dataset shares (both shipped recipes agree) is a plain flag default, not a row here:
// --eta-anneal 0.6, --valid-limit 2000, --checkpoint-minutes 5, --code-init rq, --seed 42 (teacher).
import { DEFAULT_CONTRASTIVE_TEMPERATURE } from '../kd/contrastive.ts';
import { compositionalCompressionRatio } from './compositional-codes.ts';

export interface TeacherDefaults {
  dim: number;
  heads: number;
  blocks: number;
  dropout: number;
  maxLen: number;
  layerNormEps: number;
}

export interface KdDefaults {
  /** embedding-mixup weight η (Eq. 16) */
  eta: number;
  /** contrastive weight β (Eq. 27) */
  beta: number;
  /** soft-target weight γ (Eq. 27) */
  gamma: number;
  /** InfoNCE temperature τ (Eq. 20) */
  tau: number;
}

/** `pnpm train teacher`'s training schedule (the flags of the same names). */
export interface TeacherSchedule {
  epochs: number;
  maxMinutes: number;
  lr: number;
  batchPositions: number;
  negatives: number;
}

/** `pnpm train student`'s codebooks and stage schedule (the flags of the same names). */
export interface StudentSchedule {
  M: number;
  K: number;
  pretrainEpochs: number;
  /** --epochs: stage 2 (KD) epochs */
  epochs: number;
  /** --pretrain-minutes; undefined = no cap on stage 1 */
  pretrainMinutes: number | undefined;
  maxMinutes: number;
}

export interface DatasetDefaults {
  /** The table row used. */
  row: 'tmall' | 'retailrocket' | 'neutral';
  teacher: TeacherDefaults;
  kd: KdDefaults;
  teacherSchedule: TeacherSchedule;
  /** Depends on the catalogue for the neutral row (K is derived), hence a function. */
  student: (facts: CatalogueFacts) => StudentSchedule;
  /** The compositional student's head: prior depths to try (an empty list: no prior). */
  priorDepths: (facts: CatalogueFacts & { M: number; K: number }) => number[];
  /** Minutes the shipped teacher and student stages took: the pipeline's budget shares. */
  stageMinutes: { teacher: number; student: number };
  /** Where the numbers come from. */
  source: string;
  /** Set for the neutral row: why, and what was derived. */
  fallbackReason?: string;
}

/** What the neutral row derives from: the catalogue size and the model dimension. */
export interface CatalogueFacts {
  numItems: number;
  dim: number;
}

const COMMON = { blocks: 1, maxLen: 50, layerNormEps: 1e-8 };

/**
 * The Eq.-11 ratio the neutral row keeps: the lower of the shipped students' (Tmall M4 K32 29.08,
 * RetailRocket M3 K256 30.78).
 */
export const NEUTRAL_RATIO_FLOOR = 29;
/** Parameters of the head besides the prior's entries: 13 repeat-head floats + 2 prior floats. */
const HEAD_FLOATS = 15;

/**
 * The neutral row's K: the largest power of two ≤ 256 (and ≤ the catalogue) whose M = 4 student keeps
 * the Eq.-11 ratio ≥ NEUTRAL_RATIO_FLOOR — Tmall's catalogue gives its shipped K = 32 — else 16.
 */
export function derivedCodewords({ numItems, dim }: CatalogueFacts, M = 4): number {
  for (let K = 256; K >= 2; K /= 2)
    if (K <= numItems && compositionalCompressionRatio(numItems, dim, M, K) >= NEUTRAL_RATIO_FLOOR) return K;
  return Math.min(16, numItems);
}

/**
 * Prior depths that keep a compositional student's Eq.-11 ratio ≥ `floor` counting the prior's
 * popularity entries and the head's floats as parameters (results/repeat-head/run.sh's rule): half and
 * all of what the floor leaves; none when it leaves under 50.
 */
export function priorDepthsWithinRatio(
  { numItems, dim, M, K }: CatalogueFacts & { M: number; K: number },
  floor = NEUTRAL_RATIO_FLOOR,
): number[] {
  const left = Math.floor((numItems * dim) / floor - (M * K * dim + M * numItems) - HEAD_FLOATS);
  if (left < 50) return [];
  const depth = Math.min(left, numItems);
  return [Math.floor(depth / 2), depth];
}

const TABLE = {
  tmall: {
    match: /tmall/i,
    teacher: { ...COMMON, dim: 128, heads: 1, dropout: 0.5 },
    kd: { eta: 0.8, beta: 0.01, gamma: 0.3, tau: DEFAULT_CONTRASTIVE_TEMPERATURE },
    // tmall-teacher: --loss sampled --negatives 4096 --epochs 30 (early stop after 60 min)
    teacherSchedule: { epochs: 30, maxMinutes: 600, lr: 1e-3, batchPositions: 512, negatives: 4096 },
    // tmall-compositional: --M 4 --K 32 --pretrain-epochs 5 --epochs 1 --pretrain-minutes 45 --max-minutes 62
    student: () => ({ M: 4, K: 32, pretrainEpochs: 5, epochs: 1, pretrainMinutes: 45, maxMinutes: 62 }),
    // results/repeat-head/run.sh: the depths that keep the Eq.-11 ratio ≥ 29
    priorDepths: () => [250, 450],
    stageMinutes: { teacher: 60, student: 62 },
    source:
      'EODRec Sec. 6.1.3, Tmall (N = 128, 1 head, dropout 0.5; η = 0.8, β = 0.01, γ = 0.3); schedules: ' +
      'the shipped tmall-teacher and tmall-compositional manifests',
  },
  retailrocket: {
    match: /retail/i,
    teacher: { ...COMMON, dim: 256, heads: 2, dropout: 0.2 },
    kd: { eta: 0.7, beta: 0.5, gamma: 0.3, tau: DEFAULT_CONTRASTIVE_TEMPERATURE },
    // retailrocket-teacher: --negatives 2048 --batch-positions 2048 --lr 2e-3 --max-minutes 60 --epochs 30
    teacherSchedule: { epochs: 30, maxMinutes: 60, lr: 2e-3, batchPositions: 2048, negatives: 2048 },
    // retailrocket-compositional: --M 3 --K 256, stage 1 only (--pretrain-epochs 10 --epochs 0): 35 + 95 +
    // 20 minutes in three resumed runs (results/student/run-experiments.sh) — its KD stage ran out of the
    // 4 GB wasm heap.
    student: () => ({
      M: 3,
      K: 256,
      pretrainEpochs: 10,
      epochs: 0,
      pretrainMinutes: undefined,
      maxMinutes: 150,
    }),
    priorDepths: () => [1000, 2500, 5000, 7500],
    stageMinutes: { teacher: 60, student: 150 },
    source:
      'EODRec Sec. 6.1.3, RetailRocket (N = 256, 2 heads, dropout 0.2; η = 0.7, β = 0.5, γ = 0.3); ' +
      'schedules: the shipped retailrocket-teacher and retailrocket-compositional manifests',
  },
  neutral: {
    // The smaller of the paper's two models (N = 128, 1 head: cheaper, and the bundle scales with N);
    // dropout, η and β between the paper's two rows (β on a log scale); γ and τ, the same in both.
    teacher: { ...COMMON, dim: 128, heads: 1, dropout: 0.3 },
    kd: { eta: 0.75, beta: 0.1, gamma: 0.3, tau: DEFAULT_CONTRASTIVE_TEMPERATURE },
    teacherSchedule: { epochs: 30, maxMinutes: 600, lr: 1e-3, batchPositions: 512, negatives: 2048 },
    // Bounded by epochs (early stopping ends a stage), not by minutes: nothing is known of its speed.
    student: (facts: CatalogueFacts) => ({
      M: 4,
      K: derivedCodewords(facts),
      pretrainEpochs: 5,
      epochs: 1,
      pretrainMinutes: undefined,
      maxMinutes: 600,
    }),
    priorDepths: (facts: CatalogueFacts & { M: number; K: number }) => priorDepthsWithinRatio(facts),
    stageMinutes: { teacher: 1, student: 1 },
    source:
      'neutral row of model/dataset-defaults.ts: N = 128, 1 head, dropout 0.3; η = 0.75, β = 0.1, γ = 0.3, ' +
      `τ = 0.2; student M = 4, K derived from the catalogue (Eq.-11 ratio ≥ ${NEUTRAL_RATIO_FLOOR}), ` +
      '5 + 1 epochs; prior depths derived the same way',
  },
} as const;

const NEUTRAL_REASON =
  'not one of the shipped datasets (no name matches "tmall" or "retail"): using the neutral row, not ' +
  "either paper dataset's values — N = 128 and 1 head (the paper's smaller model), dropout 0.3, η = 0.75 " +
  "and β = 0.1 (between the paper's two rows), K derived from the catalogue size; every one overridable " +
  '(--dim/--heads/--dropout for the teacher, --eta/--beta/--gamma/--M/--K for the student)';

/** The defaults for `dataset` (a dataset.json name or folder name). */
export function datasetDefaults(dataset: string): DatasetDefaults {
  // RetailRocket first: the shipped order of the old rule (/retail/i, else Tmall).
  for (const row of ['retailrocket', 'tmall'] as const) {
    const { match, ...entry } = TABLE[row];
    if (match.test(dataset)) return { row, ...entry };
  }
  return { row: 'neutral', ...TABLE.neutral, fallbackReason: NEUTRAL_REASON };
}

/** One line for stderr when `dataset` is not in the table (the defaults used and why); else null. */
export function describeFallbackDefaults(dataset: string): string | null {
  const d = datasetDefaults(dataset);
  if (!d.fallbackReason) return null;
  return (
    `defaults for dataset "${dataset}": ${d.fallbackReason}. Teacher ${JSON.stringify(d.teacher)}, ` +
    `KD ${JSON.stringify(d.kd)} (source: ${d.source})`
  );
}

/** One default a run took from the table (the flag was not given). */
export interface AppliedDefault {
  flag: string;
  value: number | string | number[] | null;
}

/** What a run took from the table: the row, why, and each flag's value — for the log line and the report. */
export interface DefaultsRecord {
  dataset: string;
  row: DatasetDefaults['row'];
  source: string;
  reason: string;
  applied: AppliedDefault[];
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c : `-${c.toLowerCase()}`));

/**
 * `explicit`'s values where given (a flag on the command line), else `defaults`' — and the list of
 * those taken from the defaults, by flag name (camelCase keys → --kebab-case; M and K stay).
 */
export function fillDefaults<T extends Record<string, unknown>>(
  explicit: { [K in keyof T]?: T[K] | undefined },
  defaults: T,
): { values: T; applied: AppliedDefault[] } {
  const values = { ...defaults };
  const applied: AppliedDefault[] = [];
  for (const key of Object.keys(defaults) as (keyof T & string)[]) {
    const given = explicit[key];
    if (given !== undefined) values[key] = given;
    else
      applied.push({
        flag: `--${kebab(key)}`,
        value: (defaults[key] ?? null) as AppliedDefault['value'],
      });
  }
  return { values, applied };
}

/** The record of a run's table defaults. */
export function defaultsRecord(dataset: string, applied: AppliedDefault[]): DefaultsRecord {
  const d = datasetDefaults(dataset);
  return {
    dataset,
    row: d.row,
    source: d.source,
    reason:
      d.fallbackReason ??
      `dataset "${dataset}" matches the ${d.row} row: the paper's values and the shipped bundles' recipe`,
    applied,
  };
}

/** The line a run prints at its start: which defaults it applied and why. */
export function describeDefaults(command: string, record: DefaultsRecord): string {
  const list = record.applied.length
    ? record.applied
        .map((a) => `${a.flag} ${Array.isArray(a.value) ? a.value.join(',') : String(a.value)}`)
        .join(' ')
    : '(none: every one given)';
  return `${command} defaults for dataset "${record.dataset}" (${record.row} row): ${list} — ${record.reason} (source: ${record.source})`;
}
