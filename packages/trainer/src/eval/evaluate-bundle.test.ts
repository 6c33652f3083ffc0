import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBundleFromFiles } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine, ranksBefore } from '@session-rec/sdk/engine/cpu';
import { seededRandom } from '@session-rec/sdk/random';
import { randomBundleFiles } from '@session-rec/sdk/testing';
import { trainPopularity } from '../pipelines/popularity.ts';
import { EvalInputError, evaluateBundle, MetricAccumulator } from './index.ts';

const V = 97;
let root: string;
let datasetDir: string;
let testCases: { prefix: number[]; label: number }[];
let trainSessions: number[][];

/** A small dataset folder in the shared format (ids 1..V), with some test prefixes longer than maxLen = 8. */
function writeDataset(dir: string): void {
  const rng = seededRandom(42);
  const item = (): number => Math.min(V - 1, Math.floor(rng() ** 2 * V)); // skewed: popularity is informative
  trainSessions = Array.from({ length: 60 }, () => Array.from({ length: 2 + Math.floor(rng() * 8) }, item));
  // As in the real test.txt: each test session expanded into its prefixes, longest first (some longer
  // than maxLen = 8, so windows slide), then a few unrelated single cases.
  testCases = [];
  for (const length of [14, 3, 9, 2, 6, 12]) {
    const session = Array.from({ length }, item);
    for (let n = length - 1; n >= 1; n--) testCases.push({ prefix: session.slice(0, n), label: session[n] });
  }
  for (let c = 0; c < 1; c++) testCases.push({ prefix: Array.from({ length: 4 }, item), label: item() });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'train.txt'),
    trainSessions.map((s) => s.map((i) => i + 1).join(' ')).join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'test.txt'),
    testCases.map((c) => `${c.prefix.map((i) => i + 1).join(' ')}\t${c.label + 1}`).join('\n') + '\n',
  );
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ name: 'fixture', numItems: V }));
}

/** Rank by sorting every item with the engines' tie rule — independent of rankOfLabel's counting. */
function rankBySort(scores: Float32Array, label: number): number {
  const order = Array.from(scores.keys()).sort((a, b) => (ranksBefore(scores[a], a, scores[b], b) ? -1 : 1));
  return order.indexOf(label) + 1;
}

/** Metrics of every test case ranked by sorting the engine's scoreAll (window maxLen = 8). */
function sortRanked(engine: ReturnType<typeof createCpuEngine>): MetricAccumulator {
  const acc = new MetricAccumulator();
  for (const c of testCases)
    acc.add(rankBySort(Float32Array.from(engine.scoreAll(c.prefix.slice(-8))), c.label));
  return acc;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'eval-test-'));
  datasetDir = join(root, 'dataset');
  writeDataset(datasetDir);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('evaluateBundle', () => {
  it('a full bundle: metrics equal a sort-based ranking of the CPU engine scores, with 1 or 2 workers', async () => {
    const files = await randomBundleFiles('full', {
      numItems: V,
      dim: 8,
      heads: 2,
      blocks: 1,
      maxLen: 8,
      seed: 3,
    });
    const bundleDir = join(root, 'full');
    await writeBundleDir(bundleDir, files);
    const engine = createCpuEngine(await decodeBundleFromFiles(files));
    const expected = sortRanked(engine);

    const one = await evaluateBundle({ bundleDir, datasetDir, workers: 1 });
    expect(one.kind).toBe('full');
    expect(one.dataset).toBe('fixture');
    expect(one.metrics).toEqual(expected.result());
    expect(one.metrics.cases).toBe(41);
    expect(testCases).toHaveLength(41);
    // Not a degenerate fixture: some labels land in the top 20, some do not.
    expect(one.metrics['P@20']).toBeGreaterThan(0);
    expect(one.metrics['P@20']).toBeLessThan(100);

    let lastProgress = 0;
    const two = await evaluateBundle({
      bundleDir,
      datasetDir,
      workers: 2,
      onProgress: (done) => (lastProgress = done),
    });
    expect(lastProgress).toBe(41);
    for (const [name, value] of Object.entries(one.metrics)) expect(two.metrics[name]).toBeCloseTo(value, 10);

    // --by-repeat: the cases split by "label already in the prefix", each side ranked as above.
    const split = await evaluateBundle({ bundleDir, datasetDir, workers: 2, byRepeat: true });
    const repeat = new MetricAccumulator();
    const newItem = new MetricAccumulator();
    for (const c of testCases)
      (c.prefix.includes(c.label) ? repeat : newItem).add(
        rankBySort(Float32Array.from(engine.scoreAll(c.prefix.slice(-8))), c.label),
      );
    expect(repeat.cases).toBeGreaterThan(0);
    expect(newItem.cases).toBeGreaterThan(0);
    expect(split.repeat).toEqual(repeat.result());
    expect(split.newItem).toEqual(newItem.result());
    expect(one.repeat).toBeUndefined();

    // --exclude-seen: the ranking the SDK's recommend({ excludeSeen: true }) shows — the engine's own top 20
    // with the prefix's items excluded — and every repeat case a miss.
    const strip = new MetricAccumulator();
    for (const c of testCases) {
      const top = await engine.recommend(c.prefix.slice(-8), { k: 20, exclude: new Set(c.prefix) });
      const at = top.findIndex((r) => r.index === c.label);
      strip.add(at >= 0 ? at + 1 : V + 1);
    }
    const excluding = await evaluateBundle({
      bundleDir,
      datasetDir,
      workers: 2,
      excludeSeen: true,
      byRepeat: true,
    });
    for (const [name, value] of Object.entries(strip.result()))
      expect(excluding.metrics[name]).toBeCloseTo(value, 10);
    expect(excluding.repeat!['P@20']).toBe(0);
    // Taking the session's items out only moves new-item labels up.
    expect(excluding.newItem!['P@20']).toBeGreaterThanOrEqual(split.newItem!['P@20']);
    expect(excluding.newItem!['MRR@20']).toBeGreaterThan(split.newItem!['MRR@20']);
  });

  it('tt and sttd bundles: rows rebuilt once (default) give exactly the per-query metrics', async () => {
    for (const kind of ['tt', 'sttd'] as const) {
      const files = await randomBundleFiles(kind, {
        numItems: V,
        dim: 8,
        heads: 1,
        blocks: 1,
        maxLen: 8,
        seed: 7,
      });
      const bundleDir = join(root, kind);
      await writeBundleDir(bundleDir, files);
      const once = await evaluateBundle({ bundleDir, datasetDir });
      const perQuery = await evaluateBundle({ bundleDir, datasetDir, rows: 'per-query', workers: 2 });
      expect(once.kind).toBe(kind);
      expect(once.metrics).toEqual(perQuery.metrics);
      expect(once.metrics['P@20']).toBeGreaterThan(0);
    }
  });

  it('head: false scores θ·e alone — the bundle without its prior and repeat head — and differs from the headed scores', async () => {
    const options = { numItems: V, dim: 8, heads: 1, blocks: 1, maxLen: 8, seed: 11 };
    const headed = await randomBundleFiles('full', { ...options, repeatHead: 4, popularityPrior: 20 });
    const plain = await randomBundleFiles('full', options);
    const headedDir = join(root, 'headed');
    await writeBundleDir(headedDir, headed);
    // The same weights without the head tensors: θ·e alone by construction.
    const expected = sortRanked(createCpuEngine(await decodeBundleFromFiles(plain)));
    const withoutHead = await evaluateBundle({
      bundleDir: headedDir,
      datasetDir,
      head: false,
      byRepeat: true,
    });
    expect(withoutHead.metrics).toEqual(expected.result());
    const twoWorkers = await evaluateBundle({ bundleDir: headedDir, datasetDir, head: false, workers: 2 });
    expect(twoWorkers.metrics).toEqual(expected.result());
    const withHead = await evaluateBundle({ bundleDir: headedDir, datasetDir, byRepeat: true });
    expect(withHead.metrics).not.toEqual(withoutHead.metrics);
  });

  it('--limit evaluates only the first cases', async () => {
    const bundleDir = join(root, 'full');
    const limited = await evaluateBundle({ bundleDir, datasetDir, limit: 5 });
    expect(limited.metrics.cases).toBe(5);
  });

  it('pnpm train popularity: counts the training clicks; its metrics are in the manifest and match pnpm eval', async () => {
    const outDir = join(root, 'popularity');
    const result = await trainPopularity(datasetDir, outDir, 'test');
    const bundle = await readBundleDir(outDir);
    expect(bundle.manifest.kind).toBe('popularity');
    expect(bundle.manifest.vocabulary).toEqual({ type: 'range', first: 1, count: V });
    const counts = bundle.tensors.get('counts')!.data as Float32Array;
    const expectedCounts = new Float32Array(V);
    for (const s of trainSessions) for (const i of s) expectedCounts[i]++;
    expect(Array.from(counts)).toEqual(Array.from(expectedCounts));
    const order = Array.from(bundle.tensors.get('popularity')!.data);
    expect(order).toEqual(
      Array.from(expectedCounts.keys()).sort((a, b) => expectedCounts[b] - expectedCounts[a] || a - b),
    );
    expect(bundle.manifest.info).toMatchObject({ dataset: 'fixture', command: 'test', testCases: 41 });

    const evaluated = await evaluateBundle({ bundleDir: outDir, datasetDir });
    expect(evaluated.metrics).toEqual(result.metrics);
    for (const [name, value] of Object.entries(bundle.manifest.metrics!))
      expect(value).toBeCloseTo(result.metrics[name], 3);
    // Popularity ranks are the label's position in the count order (ties → lower index).
    const expected = new MetricAccumulator();
    for (const c of testCases) expected.add(order.indexOf(c.label) + 1);
    expect(evaluated.metrics).toEqual(expected.result());
  });

  it('a missing folder and a bundle for another item count fail with a clear error', async () => {
    await expect(evaluateBundle({ bundleDir: join(root, 'nope'), datasetDir })).rejects.toThrow(
      /bundle folder not found: .*nope/,
    );
    await expect(
      evaluateBundle({ bundleDir: join(root, 'full'), datasetDir: join(root, 'nope') }),
    ).rejects.toThrow(EvalInputError);
    const otherDir = join(root, 'other');
    await writeBundleDir(
      otherDir,
      await randomBundleFiles('full', { numItems: V + 1, dim: 8, heads: 1, blocks: 1, maxLen: 8, seed: 4 }),
    );
    await expect(evaluateBundle({ bundleDir: otherDir, datasetDir })).rejects.toThrow(
      /numItems = 98 but dataset .* has 97 items/,
    );
  });
});
