// Progress on stderr (stdout stays machine-readable), in a terminal and in a log file alike: a line every
// 2 s for evaluations, and the training loops' epoch bar, whose ETA never runs past the time budget.
import cliProgress from 'cli-progress';

/** A progress line on stderr every 2 s: "<label>: done/total cases, ETA". */
export function progressPrinter(label: string): (done: number, total: number) => void {
  const start = performance.now();
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (now - last < 2000 && done < total) return;
    last = now;
    const elapsed = (now - start) / 1000;
    const eta = done > 0 ? (elapsed * (total - done)) / done : 0;
    process.stderr.write(
      `${label}: ${done}/${total} cases (${((100 * done) / total).toFixed(1)}%), ${elapsed.toFixed(0)} s, ETA ${eta.toFixed(0)} s\n`,
    );
  };
}

/** Lets timers run (the bar's redraw in a log, where it draws on a schedule) between synchronous steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((done) => setImmediate(done));
}

/** 42s, 3m 05s, 1h 02m. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Seconds until the epoch ends: the rate so far over the batches left, but never past `leftMs` (what the
 * time budget, or a stage cap, still allows — the loop stops there). NaN before the first batch.
 */
export function boundedEtaSeconds(
  done: number,
  total: number,
  startValue: number,
  epochMs: number,
  leftMs: number,
): number {
  const ran = done - startValue;
  const byRate = ran > 0 ? (epochMs / ran) * (total - done) : NaN;
  const bound = Math.max(0, leftMs);
  return (Number.isNaN(byRate) ? bound : Math.min(byRate, bound)) / 1000;
}

export interface EpochBarOptions {
  /** Text before the bar, e.g. "epoch 3 kd". */
  label: string;
  /** What follows value/total, with payload fields in braces, e.g. "loss {loss} | {gflops} GFLOP/s". */
  fields: string;
  /** The fields' values before the first batch. */
  initial: Record<string, string>;
  total: number;
  /** Batches already done (a resumed epoch). */
  start: number;
  /** Milliseconds the budget still allows from now (the ETA's bound). */
  leftMs: () => number;
}

/** An epoch's progress bar on stderr, or nothing (`enabled` false). */
export function epochBar(enabled: boolean, opts: EpochBarOptions) {
  if (!enabled) return { update: (_done: number, _payload: Record<string, string>) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${opts.label} |{bar}| {value}/{total} | ${opts.fields} | ETA {eta}`,
      noTTYOutput: true,
      notTTYSchedule: 30_000,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = performance.now();
  const eta = (done: number) =>
    formatDuration(boundedEtaSeconds(done, opts.total, opts.start, performance.now() - t0, opts.leftMs()));
  bar.start(opts.total, opts.start, {
    ...opts.initial,
    eta: eta(opts.start),
  });
  return {
    update: (done: number, payload: Record<string, string>) =>
      bar.update(done, { ...payload, eta: eta(done) }),
    stop: () => bar.stop(),
  };
}
