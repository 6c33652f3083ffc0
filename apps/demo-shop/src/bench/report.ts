// Turns a benchmark result into its two human outputs: markdown tables by session length with every row's
// ratio to the fastest onnxruntime-web row of the same kind (the measured peer), auto's choice, start-up and
// memory; and the SVG chart (the bench page's chart, rendered with a linkedom document).
import { parseHTML } from 'linkedom';
import { latencyChart } from './chart.ts';
import { isPeer, type AutoChoice, type BenchRow, type LengthStats, type MachineInfo } from './types.ts';

export interface BenchResult {
  machine: MachineInfo & {
    browser: string;
    os: string;
    cpu: string;
    cores: number;
    memoryGiB: number;
    /** 1-minute load average at the start and end of the run: other work on the machine skews timings. */
    loadAverage?: { start: number; end: number };
  };
  startedAt: string;
  /** Wall time of the whole command. */
  durationS?: number;
  command: string;
  quick: boolean;
  notes: string[];
  rows: BenchRow[];
  autoChoices?: AutoChoice[];
}

const statsAt = (row: BenchRow, length: number): LengthStats | undefined =>
  row.byLength.find((l) => l.length === length && l.samples > 0);

/**
 * The fastest onnxruntime-web row of a dataset's kind at one session length, by `metric`
 * (per-100 time or p50): the peer every row's ratio is taken to. Undefined when no peer row has that length.
 */
export function fastestPeer(
  rows: readonly BenchRow[],
  dataset: string,
  kind: string,
  length: number,
  metric: 'per100Ms' | 'p50Ms',
): { row: BenchRow; value: number } | undefined {
  let best: { row: BenchRow; value: number } | undefined;
  for (const row of rows) {
    if (row.dataset !== dataset || row.kind !== kind || !isPeer(row.engine) || row.error) continue;
    const value = statsAt(row, length)?.[metric];
    if (value !== undefined && Number.isFinite(value) && (!best || value < best.value)) best = { row, value };
  }
  return best;
}

const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '—');
const ratio = (x: number, ref: number | undefined) =>
  ref !== undefined && Number.isFinite(x) && ref > 0 ? `${(x / ref).toFixed(2)}×` : '—';
const mb = (bytes: number | null | undefined) =>
  bytes === null || bytes === undefined ? '—' : (bytes / 1024 / 1024).toFixed(2);
const budget = (r: BenchRow) =>
  r.budgetMs === null || r.budgetMs === undefined ? '—' : ms(r.budgetMs / 1000);
const weights = (r: BenchRow) => (r.randomWeights ? 'RANDOM' : 'trained');
const cellText = (s: string) => s.replace(/\|/g, '/').replace(/\n/g, ' ');

/** The SDK's reason (and the calibration timings behind it) when rec.engineChoice has one; its JSON otherwise. */
export function describeEngineChoice(choice: unknown): string {
  if (choice === null || choice === undefined)
    return 'rec.engineChoice not in this SDK build; rec.engine shown';
  if (typeof choice === 'string') return choice;
  const c = choice as {
    reason?: unknown;
    adapter?: { vendor?: string; architecture?: string; description?: string };
    timings?: { cpuMs?: number; webgpuMs?: number; samples?: number };
  };
  if (typeof c.reason !== 'string') return JSON.stringify(choice);
  const parts = [c.reason];
  if (c.adapter) {
    const adapter = [c.adapter.vendor, c.adapter.architecture, c.adapter.description]
      .filter(Boolean)
      .join(' / ');
    if (adapter) parts.push(`adapter ${adapter}`);
  }
  const t = c.timings;
  if (t && typeof t.cpuMs === 'number' && typeof t.webgpuMs === 'number')
    parts.push(
      `its calibration: cpu ${ms(t.cpuMs)} ms, webgpu ${ms(t.webgpuMs)} ms (median of ${t.samples ?? '?'})`,
    );
  return parts.join('; ');
}

function lengthsOf(rows: readonly BenchRow[]): number[] {
  return [...new Set(rows.flatMap((r) => r.byLength.map((l) => l.length)))].sort((a, b) => a - b);
}

function byLengthTable(
  all: readonly BenchRow[],
  rows: readonly BenchRow[],
  lengths: readonly number[],
  metric: 'per100Ms' | 'p50Ms',
): string[] {
  const lines = [
    `| kind | weights | engine | ${lengths.map((n) => `${n} click${n === 1 ? '' : 's'}`).join(' | ')} |`,
    `|---|---|---|${lengths.map(() => '--:|').join('')}`,
  ];
  for (const r of rows) {
    if (r.error) {
      lines.push(
        `| ${r.kind} | ${weights(r)} | ${r.engine} | failed: ${cellText(r.error)} |${lengths
          .slice(1)
          .map(() => ' |')
          .join('')}`,
      );
      continue;
    }
    const cells = lengths.map((n) => {
      const s = statsAt(r, n);
      if (!s) return '—';
      const peer = fastestPeer(all, r.dataset, r.kind, n, metric)?.value;
      const value =
        metric === 'per100Ms'
          ? `${ms(s.per100Ms)}${s.per100Source === 'measured' ? '' : ' (est.)'}`
          : `${ms(s.p50Ms)} / ${ms(s.p95Ms)}`;
      return `${value} (${ratio(s[metric], peer)})`;
    });
    lines.push(`| ${r.kind} | ${weights(r)} | ${r.engine} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function autoLines(result: BenchResult, dataset: string, rows: readonly BenchRow[]): string[] {
  const choices = (result.autoChoices ?? []).filter((c) => c.dataset === dataset);
  if (choices.length === 0) return [];
  const lines = [
    "### auto's choice",
    '',
    "`createRecommender({ model, backend: 'auto' })` in this browser: `rec.engine`, the SDK's reason (`rec.engineChoice`), and what this run measured for that bundle.",
    '',
    '| kind | auto → rec.engine | why (rec.engineChoice) | measured: fastest of our engines per length (per-100 ms) |',
    '|---|---|---|---|',
  ];
  for (const c of choices) {
    const ours = rows.filter((r) => r.bundleId === c.bundleId && !isPeer(r.engine) && !r.error);
    const fastest = lengthsOf(ours)
      .map((n) => {
        const best = ours
          .map((r) => ({ r, s: statsAt(r, n) }))
          .filter((x) => x.s)
          .sort((a, b) => a.s!.per100Ms - b.s!.per100Ms)[0];
        if (!best) return null;
        const picked = ours.find((r) => r.engine === c.engine);
        const pickedStats = picked && statsAt(picked, n);
        const vs =
          pickedStats && best.r.engine !== c.engine
            ? `; auto's ${c.engine} ${ratio(pickedStats.per100Ms, best.s!.per100Ms)}`
            : '';
        return `${n}: ${best.r.engine} ${ms(best.s!.per100Ms)}${vs}`;
      })
      .filter(Boolean);
    lines.push(
      `| ${c.kind} | ${c.error ? `failed: ${cellText(c.error)}` : c.engine} | ${cellText(describeEngineChoice(c.engineChoice))} | ${fastest.join(' · ') || '—'} |`,
    );
  }
  return [...lines, ''];
}

function sessionsCell(r: BenchRow): string {
  if (r.byLength.length === 0) return '—';
  return r.byLength
    .map(
      (l) =>
        `${l.length}: ${l.samples}${l.distinctSessions < l.samples ? ` (${l.distinctSessions} distinct)` : ''}`,
    )
    .join(', ');
}

/** The paper's headline comparison: how much faster compositional is than each other kind, per engine and length. */
function speedups(rows: readonly BenchRow[], lengths: readonly number[]): string[] {
  const out: string[] = [];
  for (const engine of new Set(rows.map((r) => r.engine))) {
    const comp = rows.find((r) => r.kind === 'compositional' && r.engine === engine && !r.error);
    if (!comp) continue;
    const parts = rows
      .filter((r) => r.engine === engine && r.kind !== 'compositional' && r.kind !== 'popularity' && !r.error)
      .map((r) => {
        const at = lengths
          .filter((n) => statsAt(r, n) && statsAt(comp, n))
          .map((n) => `${(statsAt(r, n)!.per100Ms / statsAt(comp, n)!.per100Ms).toFixed(2)}×`);
        return at.length > 0 ? `${r.kind} ${at.join(' / ')}` : null;
      })
      .filter(Boolean);
    if (parts.length > 0)
      out.push(
        `Compositional speed-up on ${engine} (other kind's per-100 time / compositional's, at ${lengths.join(' / ')} clicks): ${parts.join('; ')}.`,
      );
  }
  return out;
}

export function renderMarkdown(result: BenchResult): string {
  const m = result.machine;
  const adapter = m.adapter
    ? [m.adapter.vendor, m.adapter.architecture, m.adapter.description].filter(Boolean).join(' / ')
    : 'none';
  const lines = [
    `# Latency benchmark${result.quick ? ' (--quick)' : ''}`,
    '',
    `Run ${result.startedAt} with \`${result.command}\`${result.durationS === undefined ? '' : ` (${Math.round(result.durationS)} s in all)`}.`,
    `Browser: ${m.browser}; WebGPU adapter: ${adapter}; CPU: ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB); ${m.os}.`,
    `Timer: performance.now() ${m.crossOriginIsolated ? 'with 5 µs resolution (cross-origin isolated page)' : 'with 100 µs resolution (page not cross-origin isolated)'}.`,
    m.loadAverage
      ? `1-minute load average ${m.loadAverage.start.toFixed(2)} at the start, ${m.loadAverage.end.toFixed(2)} at the end (${m.cores} cores; above ${m.cores} means other processes competed with the browser).`
      : '',
    '',
    ...result.notes.map((note) => `- ${note}`),
    '',
  ];
  for (const dataset of [...new Set(result.rows.map((r) => r.dataset))]) {
    const rows = result.rows.filter((r) => r.dataset === dataset);
    const lengths = lengthsOf(rows);
    const hasPeer = rows.some((r) => isPeer(r.engine) && !r.error);
    lines.push(
      `## ${dataset}`,
      '',
      ...autoLines(result, dataset, rows),
      '### recommend() time per 100 sessions, by session length',
      '',
      hasPeer
        ? 'Milliseconds for 100 sessions at each length; in brackets the ratio to the **fastest onnxruntime-web row of the same kind** at that length (>1× = slower than the peer).'
        : 'Milliseconds for 100 sessions at each length. No onnxruntime-web row finished, so there are no ratios (—).',
      '',
      ...byLengthTable(result.rows, rows, lengths, 'per100Ms'),
      '',
      '### recommend() p50 / p95 ms, by session length',
      '',
      'In brackets: p50 over the fastest onnxruntime-web p50 of the same kind at that length.',
      '',
      ...byLengthTable(result.rows, rows, lengths, 'p50Ms'),
      '',
      '### start-up and memory',
      '',
      '| kind | weights | engine | cold start ms | warm start ms | bundle MB | ONNX MB | GPU buffers MB | JS heap MB | threads | timed calls per length | row s | budget s |',
      '|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|',
    );
    for (const r of rows) {
      lines.push(
        r.error
          ? `| ${r.kind} | ${weights(r)} | ${r.engine} | failed: ${cellText(r.error)} ||||||||| ${ms(r.rowMs / 1000)} | ${budget(r)} |`
          : `| ${r.kind} | ${weights(r)} | ${r.engine} | ${ms(r.coldStartMs)} | ${ms(r.warmStartMs)} | ${mb(r.bundleBytes)} | ${mb(r.onnxBytes)} | ${mb(r.gpuBufferBytes)} | ${mb(r.jsHeapBytes)} | ${r.threads ?? '—'} | ${sessionsCell(r)} | ${ms(r.rowMs / 1000)} | ${budget(r)} |`,
      );
    }
    lines.push('', ...speedups(rows, lengths), '');
  }
  return lines.join('\n');
}

export function renderSvg(rows: readonly BenchRow[]): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const chart = latencyChart(rows, { document: document as unknown as Document, legend: false });
  if (!chart.getAttribute('xmlns')) chart.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return chart.outerHTML;
}
