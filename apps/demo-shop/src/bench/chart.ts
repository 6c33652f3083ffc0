// The benchmark chart, one definition for the bench page (browser DOM) and the CLI (linkedom document, SVG
// file): recommend() p50 latency against session length, one line per engine, one panel per bundle; log
// scales (engines differ by 100×, lengths go 1 … 50).
import * as Plot from '@observablehq/plot';
import { ENGINES, type BenchRow } from './types.ts';

export function rowLabel(row: Pick<BenchRow, 'dataset' | 'kind' | 'randomWeights'>): string {
  return `${row.dataset} · ${row.kind}${row.randomWeights ? ' (RANDOM weights)' : ''}`;
}

interface Point {
  label: string;
  engine: string;
  length: number;
  p50Ms: number;
}

export function chartPoints(rows: readonly BenchRow[]): Point[] {
  return rows.flatMap((row) =>
    row.byLength
      .filter((l) => Number.isFinite(l.p50Ms) && l.p50Ms > 0)
      .map((l) => ({ label: rowLabel(row), engine: row.engine, length: l.length, p50Ms: l.p50Ms })),
  );
}

export function latencyChart(
  rows: readonly BenchRow[],
  options: { document?: Document; legend?: boolean } = {},
): SVGSVGElement | HTMLElement {
  const data = chartPoints(rows);
  const labels = [...new Set(data.map((d) => d.label))];
  const lengths = [...new Set(data.map((d) => d.length))].sort((a, b) => a - b);
  return Plot.plot({
    document: options.document ?? globalThis.document,
    width: 860,
    height: 60 + Math.max(1, labels.length) * 170,
    marginLeft: 60,
    marginRight: 200,
    x: { type: 'log', label: 'session length (clicks)', ticks: lengths, tickFormat: '~g', grid: true },
    y: { type: 'log', label: 'recommend() p50, ms (log)', grid: true, tickFormat: '~g' },
    fy: { label: null, domain: labels, axis: null },
    color: { legend: options.legend ?? true, domain: [...ENGINES], scheme: 'tableau10' },
    marks: [
      Plot.line(data, { fy: 'label', x: 'length', y: 'p50Ms', stroke: 'engine' }),
      Plot.dot(data, { fy: 'label', x: 'length', y: 'p50Ms', fill: 'engine', r: 2.5 }),
      Plot.text(
        data,
        Plot.selectLast({
          fy: 'label',
          z: 'engine',
          x: 'length',
          y: 'p50Ms',
          text: (d: Point) => `${d.engine} ${d.p50Ms < 10 ? d.p50Ms.toFixed(2) : d.p50Ms.toFixed(0)}`,
          textAnchor: 'start',
          dx: 5,
          fontSize: 9,
        }),
      ),
      Plot.text(labels, { fy: (d: string) => d, frameAnchor: 'top-left', text: (d: string) => d, dy: 2 }),
    ],
  });
}
