import { describe, expect, it } from 'vitest';
import { describeEngineChoice, fastestPeer, renderMarkdown, renderSvg, type BenchResult } from './report.ts';
import type { AutoChoice, BenchRow, LengthStats } from './types.ts';

/** Per-length stats with p50 = `p50s[i]` ms and per-100 = 100 × p50 (estimated unless 100 samples). */
function lengths(p50s: Record<number, number>, samples = 100): LengthStats[] {
  return Object.entries(p50s).map(([length, p50]) => ({
    length: Number(length),
    samples,
    distinctSessions: Math.min(samples, 9),
    p50Ms: p50,
    p95Ms: p50 * 1.5,
    p99Ms: p50 * 2,
    meanMs: p50,
    per100Ms: p50 * 100,
    per100Source: samples >= 100 ? 'measured' : 'estimated-from-single',
  }));
}

function row(
  kind: string,
  engine: BenchRow['engine'],
  p50s: Record<number, number>,
  extra: Partial<BenchRow> = {},
): BenchRow {
  return {
    dataset: 'tmall',
    kind,
    engine,
    randomWeights: false,
    bundleId: `tmall-${kind}`,
    sessionsSource: 'test.txt',
    byLength: lengths(p50s),
    coldStartMs: 900,
    warmStartMs: 200,
    bundleBytes: 2 * 1024 * 1024,
    gpuBufferBytes: 1024 * 1024,
    jsHeapBytes: null,
    rowMs: 12_000,
    ...extra,
  };
}

const result = (rows: BenchRow[], autoChoices: AutoChoice[] = []): BenchResult => ({
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
  autoChoices,
});

describe('fastestPeer', () => {
  const rows = [
    row('compositional', 'cpu', { 1: 0.5, 5: 1 }),
    row('compositional', 'ort-wasm', { 1: 3, 5: 4 }),
    row('compositional', 'ort-webgpu', { 1: 2, 5: 8 }),
    row('full', 'ort-wasm', { 1: 0.1, 5: 0.1 }),
    row('compositional', 'ort-webgpu', { 1: 0.01 }, { error: 'boom', dataset: 'tmall' }),
  ];

  it('is the quickest onnxruntime-web row of the same kind at that length, never one of ours', () => {
    expect(fastestPeer(rows, 'tmall', 'compositional', 1, 'p50Ms')).toEqual({ row: rows[2], value: 2 });
    expect(fastestPeer(rows, 'tmall', 'compositional', 5, 'per100Ms')).toEqual({ row: rows[1], value: 400 });
  });

  it('is undefined for a length, kind or dataset no peer row measured', () => {
    expect(fastestPeer(rows, 'tmall', 'compositional', 20, 'p50Ms')).toBeUndefined();
    expect(fastestPeer(rows, 'tmall', 'tt', 1, 'p50Ms')).toBeUndefined();
    expect(fastestPeer(rows, 'retailrocket', 'compositional', 1, 'p50Ms')).toBeUndefined();
  });
});

describe('describeEngineChoice', () => {
  it("prints the SDK's reason, or says that the SDK has no engineChoice", () => {
    expect(describeEngineChoice({ engine: 'cpu', reason: 'no WebGPU adapter' })).toBe('no WebGPU adapter');
    expect(describeEngineChoice('webgpu (adapter found)')).toBe('webgpu (adapter found)');
    expect(describeEngineChoice({ engine: 'cpu' })).toBe('{"engine":"cpu"}');
    expect(
      describeEngineChoice({
        engine: 'webgpu',
        reason: 'calibrated',
        adapter: { vendor: 'nvidia', architecture: 'ampere', description: '' },
        timings: { cpuMs: 1.6, webgpuMs: 0.8, samples: 5 },
      }),
    ).toBe('calibrated; adapter nvidia / ampere; its calibration: cpu 1.60 ms, webgpu 0.80 ms (median of 5)');
    expect(describeEngineChoice(null)).toContain('rec.engineChoice not in this SDK build');
  });
});

describe('renderMarkdown', () => {
  it('gives every row its ratio to the fastest peer per length, and marks estimates, random weights and failures', () => {
    const md = renderMarkdown(
      result([
        row('compositional', 'webgpu', { 1: 20, 5: 30, 50: 40 }),
        row('compositional', 'cpu', { 1: 1, 5: 2, 50: 8 }, { byLength: lengths({ 1: 1, 5: 2, 50: 8 }, 12) }),
        row('compositional', 'ort-wasm', { 1: 4, 5: 5, 50: 20 }, { threads: 2, onnxBytes: 3 * 1024 * 1024 }),
        row('compositional', 'ort-webgpu', { 1: 10, 5: 10, 50: 10 }),
        row('sttd', 'webgpu', { 1: 16 }, { randomWeights: true }),
        row('tt', 'cpu', {}, { error: 'no | kernel', byLength: [] }),
      ]),
    );
    // per-100 table: webgpu 2000 / 400 (ort-wasm) at 1 click, 4000 / 1000 (ort-webgpu) at 50 clicks.
    expect(md).toContain('| kind | weights | engine | 1 click | 5 clicks | 50 clicks |');
    expect(md).toContain(
      '| compositional | trained | webgpu | 2000.0 (5.00×) | 3000.0 (6.00×) | 4000.0 (4.00×) |',
    );
    expect(md).toContain(
      '| compositional | trained | cpu | 100.0 (est.) (0.25×) | 200.0 (est.) (0.40×) | 800.0 (est.) (0.80×) |',
    );
    // p50 / p95 table.
    expect(md).toContain(
      '| compositional | trained | cpu | 1.00 / 1.50 (0.25×) | 2.00 / 3.00 (0.40×) | 8.00 / 12.0 (0.80×) |',
    );
    // No peer row for sttd: no ratio; the random bundle says so.
    expect(md).toContain('| sttd | RANDOM | webgpu | 1600.0 (—) | — | — |');
    expect(md).toContain('| tt | trained | cpu | failed: no / kernel |');
    expect(md).toMatch(
      /\| compositional \| trained \| ort-wasm \| 900\.00? \| 200\.0 \| 2\.00 \| 3\.00 \| .* \| 2 \| 1: 100 \(9 distinct\)/,
    );
    expect(md).toContain('Compositional speed-up on webgpu');
    expect(md).toContain('- a note');
  });

  it("shows auto's choice with the SDK's reason and what was measured for that bundle", () => {
    const md = renderMarkdown(
      result(
        [row('compositional', 'webgpu', { 1: 20, 5: 30 }), row('compositional', 'cpu', { 1: 1, 5: 3 })],
        [
          {
            dataset: 'tmall',
            kind: 'compositional',
            bundleId: 'tmall-compositional',
            engine: 'webgpu',
            engineChoice: { reason: 'WebGPU adapter present' },
          },
        ],
      ),
    );
    expect(md).toContain("### auto's choice");
    expect(md).toContain(
      "| compositional | webgpu | WebGPU adapter present | 1: cpu 100.0; auto's webgpu 20.00× · 5: cpu 300.0; auto's webgpu 10.00× |",
    );
    expect(md).toContain('No onnxruntime-web row finished');
  });
});

describe('renderSvg', () => {
  it('renders a standalone SVG with a panel per measured bundle', () => {
    const svg = renderSvg([
      row('compositional', 'webgpu', { 1: 2, 5: 3 }),
      row('full', 'cpu', { 1: 7 }),
      row('tt', 'cpu', {}, { error: 'x', byLength: [] }),
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('tmall · compositional');
    expect(svg).toContain('tmall · full');
    expect(svg).not.toContain('tmall · tt');
  });
});
