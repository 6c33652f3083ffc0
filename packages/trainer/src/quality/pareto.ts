// The Pareto front of the quality table: fewer bytes and a higher strip new-item NDCG@10 are both better;
// a bundle is on the front when no other bundle is at least as small and at least as good, and better in one.
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

export interface ParetoPoint {
  label: string;
  /** Colour group (the model kind). */
  kind: string;
  bytes: number;
  quality: number;
}

/** The non-dominated points, smallest first. Points without a finite quality are never on it. */
export function paretoFront<T extends Pick<ParetoPoint, 'bytes' | 'quality'>>(points: readonly T[]): T[] {
  const valid = points.filter((p) => Number.isFinite(p.quality) && p.bytes > 0);
  const dominated = (p: T) =>
    valid.some(
      (q) =>
        q !== p &&
        q.bytes <= p.bytes &&
        q.quality >= p.quality &&
        (q.bytes < p.bytes || q.quality > p.quality),
    );
  return valid.filter((p) => !dominated(p)).sort((a, b) => a.bytes - b.bytes || b.quality - a.quality);
}

/** One panel per dataset: every bundle a labelled dot (colour = kind), the front a line; x log scale. */
export function paretoChart(panels: readonly { dataset: string; points: readonly ParetoPoint[] }[]): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const data = panels.flatMap((p) => p.points.map((point) => ({ ...point, dataset: p.dataset })));
  const front = panels.flatMap((p) =>
    paretoFront(p.points).map((point) => ({ ...point, dataset: p.dataset })),
  );
  const kinds = [...new Set(data.map((d) => d.kind))].sort();
  const chart = Plot.plot({
    document: document as unknown as Document,
    width: 900,
    height: 80 + panels.length * 300,
    marginLeft: 60,
    marginRight: 170,
    style: { fontFamily: 'sans-serif', fontSize: '11px', background: 'white' },
    x: { type: 'log', label: 'bundle bytes a device downloads (log) →', grid: true, tickFormat: '~s' },
    y: { label: '↑ strip new-item NDCG@10 (%)', grid: true },
    fy: { label: null, domain: panels.map((p) => p.dataset) },
    color: { legend: false, domain: kinds, scheme: 'tableau10' },
    marks: [
      Plot.line(front, { fy: 'dataset', x: 'bytes', y: 'quality', stroke: '#888', strokeDasharray: '4,3' }),
      Plot.dot(data, { fy: 'dataset', x: 'bytes', y: 'quality', fill: 'kind', r: 4 }),
      Plot.text(data, {
        fy: 'dataset',
        x: 'bytes',
        y: 'quality',
        text: 'label',
        textAnchor: 'start',
        dx: 6,
        fontSize: 9,
      }),
      // The colour key, one line per kind at the top right of each panel (a single SVG has no HTML legend).
      ...kinds.map((kind, i) =>
        Plot.text([kind], {
          frameAnchor: 'top-right',
          dx: 30,
          dy: 4 + 13 * i,
          text: (k: string) => `● ${k}`,
          fill: () => kind,
          textAnchor: 'start',
        }),
      ),
      Plot.text(['- - Pareto front'], {
        frameAnchor: 'top-right',
        dx: 30,
        dy: 4 + 13 * kinds.length,
        fill: '#888',
        textAnchor: 'start',
      }),
    ],
  }) as unknown as Element;
  if (!chart.getAttribute('xmlns')) chart.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return chart.outerHTML;
}
