import { describe, expect, it } from 'vitest';
import { referenceRow, renderMarkdown, renderSvg, type BenchResult } from './report.ts';
import type { BenchRow } from './types.ts';

function row(kind: string, engine: BenchRow['engine'], p50: number, extra: Partial<BenchRow> = {}): BenchRow {
  return {
    dataset: 'tmall',
    kind,
    engine,
    randomWeights: false,
    bundleId: `tmall-${kind}`,
    sessionsSource: 'test.txt',
    sessions: 200,
    p50Ms: p50,
    p95Ms: p50 * 1.5,
    p99Ms: p50 * 2,
    meanMs: p50,
    per100Ms: p50 * 100,
    per100Source: 'measured',
    coldStartMs: 900,
    warmStartMs: 200,
    bundleBytes: 2 * 1024 * 1024,
    gpuBufferBytes: 1024 * 1024,
    jsHeapBytes: null,
    ...extra,
  };
}

const result = (rows: BenchRow[]): BenchResult => ({
  machine: {
    userAgent: 'ua',
    hardwareConcurrency: 2,
    crossOriginIsolated: true,
    adapter: null,
    browser: 'Chromium 1',
    os: 'linux',
    cpu: 'cpu',
    cores: 2,
    memoryGiB: 24,
  },
  startedAt: '2026-01-01T00:00:00.000Z',
  command: 'pnpm bench',
  quick: false,
  notes: ['a note'],
  rows,
});

describe('referenceRow', () => {
  it('is compositional + webgpu of the dataset, else the next in the preference order', () => {
    const rows = [
      row('full', 'webgpu', 4),
      row('compositional', 'cpu', 3),
      row('compositional', 'webgpu', 2),
    ];
    expect(referenceRow(rows, 'tmall')).toBe(rows[2]);
    expect(referenceRow(rows.slice(0, 2), 'tmall')).toBe(rows[1]);
    expect(referenceRow([rows[0]], 'tmall')).toBe(rows[0]);
    expect(referenceRow(rows, 'retailrocket')).toBeUndefined();
  });

  it('skips failed rows', () => {
    const rows = [row('compositional', 'webgpu', NaN, { error: 'boom' }), row('full', 'cpu', 5)];
    expect(referenceRow(rows, 'tmall')).toBe(rows[1]);
  });
});

describe('renderMarkdown', () => {
  it('gives ratios to the reference, marks random weights and failures, and the compositional speed-ups', () => {
    const md = renderMarkdown(
      result([
        row('compositional', 'webgpu', 2),
        row('sttd', 'webgpu', 16, { randomWeights: true }),
        row('tt', 'cpu', NaN, { error: 'no | kernel' }),
      ]),
    );
    expect(md).toContain('Ratios are to the **compositional + webgpu** row');
    expect(md).toMatch(/\| sttd \| RANDOM \| webgpu \| 16\.0 \|.*\| 8\.00× \| 8\.00× \|/);
    expect(md).toContain('| tt | trained | cpu | failed: no / kernel');
    expect(md).toContain('on webgpu: sttd 8.00×');
    expect(md).toContain('- a note');
  });
});

describe('renderSvg', () => {
  it('renders a standalone SVG with one bar per measured row', () => {
    const svg = renderSvg([
      row('compositional', 'webgpu', 2),
      row('full', 'cpu', 7),
      row('tt', 'cpu', NaN, { error: 'x' }),
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('tmall · compositional');
    expect(svg).toContain('tmall · full');
    expect(svg).not.toContain('tmall · tt');
  });
});
