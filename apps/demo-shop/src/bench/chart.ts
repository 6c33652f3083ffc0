// The benchmark chart, one definition for the bench page (browser DOM) and the CLI (linkedom document, SVG
// file): recommend() p50 latency per bundle and engine, p95 as a tick, log scale (engines differ by 100×).
import * as Plot from '@observablehq/plot';
import { ENGINES, type BenchRow } from './types.ts';

export function rowLabel(row: Pick<BenchRow, 'dataset' | 'kind' | 'randomWeights'>): string {
  return `${row.dataset} · ${row.kind}${row.randomWeights ? ' (RANDOM weights)' : ''}`;
}

export function latencyChart(
  rows: readonly BenchRow[],
  options: { document?: Document; legend?: boolean } = {},
): SVGSVGElement | HTMLElement {
  const data = rows
    .filter((row) => Number.isFinite(row.p50Ms))
    .map((row) => ({ ...row, label: rowLabel(row) }));
  const labels = [...new Set(data.map((d) => d.label))];
  const floor = Math.max(0.01, Math.min(...data.map((d) => d.p50Ms)) / 2);
  return Plot.plot({
    document: options.document ?? globalThis.document,
    width: 860,
    height: 60 + labels.length * 22 * ENGINES.length,
    marginLeft: 230,
    marginRight: 120,
    x: {
      type: 'log',
      label: 'recommend() latency, ms (bar: p50, tick: p95; log scale)',
      grid: true,
      tickFormat: '~g',
    },
    y: { label: null, domain: [...ENGINES], axis: null },
    fy: { label: null, domain: labels },
    color: { legend: options.legend ?? true, domain: [...ENGINES], scheme: 'tableau10' },
    marks: [
      Plot.barX(data, { fy: 'label', y: 'engine', x1: floor, x2: 'p50Ms', fill: 'engine' }),
      Plot.tickX(data, { fy: 'label', y: 'engine', x: 'p95Ms', stroke: '#333' }),
      Plot.text(data, {
        fy: 'label',
        y: 'engine',
        x: (d: BenchRow) => Math.max(d.p50Ms, d.p95Ms),
        text: (d: BenchRow) => `${d.engine} ${d.p50Ms.toFixed(2)}`,
        textAnchor: 'start',
        dx: 4,
        fontSize: 9,
      }),
    ],
  });
}
