// The per-dataset defaults, one explicit table: the paper's hyper-parameters (EODRec Sec. 6.1.3) for the
// two datasets it reports, and what any other dataset gets — stated, with the reason, never silently.
// A dataset matches a row by name (case-insensitive substring, as the shipped folders are named).
import { DEFAULT_CONTRASTIVE_TEMPERATURE } from '../kd/contrastive.ts';

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

export interface DatasetDefaults {
  /** The table row used: 'tmall' | 'retailrocket'. */
  row: string;
  teacher: TeacherDefaults;
  kd: KdDefaults;
  /** Where the numbers come from. */
  source: string;
  /** Set when the dataset is not in the table: why this row was used instead. */
  fallbackReason?: string;
}

const COMMON = { blocks: 1, maxLen: 50, layerNormEps: 1e-8 };

const TABLE = {
  tmall: {
    match: /tmall/i,
    teacher: { ...COMMON, dim: 128, heads: 1, dropout: 0.5 },
    kd: { eta: 0.8, beta: 0.01, gamma: 0.3, tau: DEFAULT_CONTRASTIVE_TEMPERATURE },
    source: 'EODRec Sec. 6.1.3, Tmall (N = 128, 1 head, dropout 0.5; η = 0.8, β = 0.01, γ = 0.3)',
  },
  retailrocket: {
    match: /retail/i,
    teacher: { ...COMMON, dim: 256, heads: 2, dropout: 0.2 },
    kd: { eta: 0.7, beta: 0.5, gamma: 0.3, tau: DEFAULT_CONTRASTIVE_TEMPERATURE },
    source: 'EODRec Sec. 6.1.3, RetailRocket (N = 256, 2 heads, dropout 0.2; η = 0.7, β = 0.5, γ = 0.3)',
  },
} as const;

/** The row an unknown dataset gets, and why. */
const FALLBACK_ROW = 'tmall';
const FALLBACK_REASON =
  'not one of the paper\'s datasets (no name matches "tmall" or "retail"): using the Tmall row, the ' +
  "paper's smaller model (N = 128, 1 head), cheaper to train and the stronger regulariser (dropout 0.5) for " +
  'a catalogue of unknown size; override with --dim/--heads/--dropout (teacher) and --eta/--beta/--gamma (student)';

/** The defaults for `dataset` (a dataset.json name or folder name). */
export function datasetDefaults(dataset: string): DatasetDefaults {
  // RetailRocket first: the shipped order of the old rule (/retail/i, else Tmall).
  for (const row of ['retailrocket', 'tmall'] as const) {
    const { match: _match, ...entry } = TABLE[row];
    if (TABLE[row].match.test(dataset)) return { row, ...entry };
  }
  const { match: _match, ...entry } = TABLE[FALLBACK_ROW];
  return { row: FALLBACK_ROW, ...entry, fallbackReason: FALLBACK_REASON };
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
