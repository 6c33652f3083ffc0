// Turns a benchmark result into its two human outputs: a markdown table with ratios to a reference row
// (compositional + webgpu of the same dataset, as the paper's Table 5 compares against its student) and
// the SVG chart (the bench page's chart, rendered with a linkedom document).
import { parseHTML } from 'linkedom';
import { latencyChart } from './chart.ts';
import type { BenchRow, MachineInfo } from './types.ts';

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
  command: string;
  quick: boolean;
  notes: string[];
  rows: BenchRow[];
}

/** Preference order for the reference row of a dataset: the paper's student on the GPU engine first. */
const REFERENCE_ORDER: [string, string][] = [
  ['compositional', 'webgpu'],
  ['compositional', 'cpu'],
  ['full', 'webgpu'],
  ['full', 'cpu'],
];

export function referenceRow(rows: readonly BenchRow[], dataset: string): BenchRow | undefined {
  const ok = rows.filter((r) => r.dataset === dataset && Number.isFinite(r.p50Ms));
  for (const [kind, engine] of REFERENCE_ORDER) {
    const found = ok.find((r) => r.kind === kind && r.engine === engine);
    if (found) return found;
  }
  return ok[0];
}

const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '—');
const ratio = (x: number, ref: number) =>
  Number.isFinite(x) && Number.isFinite(ref) && ref > 0 ? `${(x / ref).toFixed(2)}×` : '—';
const mb = (bytes: number | null) => (bytes === null ? '—' : (bytes / 1024 / 1024).toFixed(2));

export function renderMarkdown(result: BenchResult): string {
  const m = result.machine;
  const adapter = m.adapter
    ? [m.adapter.vendor, m.adapter.architecture, m.adapter.description].filter(Boolean).join(' / ')
    : 'none';
  const lines = [
    `# Latency benchmark${result.quick ? ' (--quick)' : ''}`,
    '',
    `Run ${result.startedAt} with \`${result.command}\`.`,
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
    const ref = referenceRow(result.rows, dataset);
    lines.push(
      `## ${dataset}`,
      '',
      ref
        ? `Ratios are to the **${ref.kind} + ${ref.engine}** row (>1× = slower than it).`
        : 'No row finished, so there is no reference.',
      '',
      '| kind | weights | engine | p50 ms | p95 ms | p99 ms | per 100 sessions ms | p50 vs ref | per-100 vs ref | cold start ms | warm start ms | bundle MB | GPU buffers MB | JS heap MB | sessions |',
      '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const r of rows) {
      if (r.error) {
        lines.push(
          `| ${r.kind} | ${r.randomWeights ? 'RANDOM' : 'trained'} | ${r.engine} | failed: ${r.error.replace(/\|/g, '/')} ||||||||||||`,
        );
        continue;
      }
      const per100 = `${ms(r.per100Ms)}${r.per100Source === 'measured' ? '' : ' (est.)'}`;
      lines.push(
        `| ${r.kind} | ${r.randomWeights ? 'RANDOM' : 'trained'} | ${r.engine} | ${ms(r.p50Ms)} | ${ms(r.p95Ms)} | ${ms(r.p99Ms)} | ${per100} | ${ratio(r.p50Ms, ref?.p50Ms ?? NaN)} | ${ratio(r.per100Ms, ref?.per100Ms ?? NaN)} | ${ms(r.coldStartMs)} | ${ms(r.warmStartMs)} | ${mb(r.bundleBytes)} | ${mb(r.gpuBufferBytes)} | ${mb(r.jsHeapBytes)} | ${r.sessions} (${r.sessionsSource}) |`,
      );
    }
    lines.push('', ...speedups(rows), '');
  }
  return lines.join('\n');
}

/** The paper's headline comparison: how much faster compositional is than each other kind, per engine. */
function speedups(rows: readonly BenchRow[]): string[] {
  const out: string[] = [];
  for (const engine of new Set(rows.map((r) => r.engine))) {
    const comp = rows.find((r) => r.kind === 'compositional' && r.engine === engine && !r.error);
    if (!comp) continue;
    const parts = rows
      .filter((r) => r.engine === engine && r.kind !== 'compositional' && r.kind !== 'popularity' && !r.error)
      .map((r) => `${r.kind} ${(r.per100Ms / comp.per100Ms).toFixed(2)}×`);
    if (parts.length > 0)
      out.push(
        `Compositional speed-up (per-100 time of the other kind / compositional's) on ${engine}: ${parts.join(', ')}.`,
      );
  }
  return out;
}

export function renderSvg(rows: readonly BenchRow[]): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const chart = latencyChart(rows, { document: document as unknown as Document, legend: false });
  if (!chart.getAttribute('xmlns')) chart.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return chart.outerHTML;
}
