// Where the trainer writes when no flag says otherwise: one folder per run under runs/ (git ignores it),
// never the demo shop's public/models or results/. The shop's shipped models are replaced only by an
// explicit --out.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The root of every default output (relative to the working directory). */
export const RUNS_DIR = 'runs';

/** Where the demo shop serves its shipped bundles from: read as a default teacher, never written by default. */
export const SHIPPED_MODELS_DIR = 'apps/demo-shop/public/models';

export interface RunPaths {
  /** runs/<run> */
  dir: string;
  bundle: string;
  report: string;
  checkpoint: string;
  /** The student's KD-updated teacher. */
  teacherAfterKd: string;
}

/** The default output folders of run `run` (e.g. "tmall-teacher", "tmall-M4-K32", "tmall-tt"). */
export function runPaths(run: string): RunPaths {
  const dir = resolve(RUNS_DIR, run);
  return {
    dir,
    bundle: join(dir, 'bundle'),
    report: join(dir, 'report.json'),
    checkpoint: join(dir, 'checkpoint'),
    teacherAfterKd: join(dir, 'teacher-after-kd'),
  };
}

/** The teacher run's name for a dataset: `pnpm train teacher` writes runs/<dataset>-teacher/. */
export function teacherRunName(dataset: string): string {
  return `${dataset}-teacher`;
}

/**
 * The teacher bundle a student reads when --teacher is not given: the one `pnpm train teacher` wrote
 * (runs/<dataset>-teacher/bundle), else the shop's shipped one (apps/demo-shop/public/models/<dataset>-teacher).
 * When neither exists, the runs/ path (the error names what to train).
 */
export function defaultTeacherBundle(dataset: string): string {
  const trained = runPaths(teacherRunName(dataset)).bundle;
  const shipped = resolve(SHIPPED_MODELS_DIR, `${dataset}-teacher`);
  return existsSync(trained) || !existsSync(shipped) ? trained : shipped;
}
