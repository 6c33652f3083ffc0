import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBundleDir } from '@session-rec/sdk/bundle/node';
import { randomBundleFiles } from '@session-rec/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseDefaultBundle, type BundleSummary } from '../models/bundle-summary.ts';
import { listBundles } from './model-index.ts';

let dir: string;
const V = 300;
const N = 16;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shop-models-'));
  await writeBundleDir(join(dir, 'toy-full'), await randomBundleFiles('full', { numItems: V, dim: N }));
  await writeBundleDir(
    join(dir, 'toy-compositional'),
    await randomBundleFiles('compositional', {
      numItems: V,
      dim: N,
      M: 4,
      K: 16,
      info: { dataset: 'toyset' },
    }),
  );
  await writeBundleDir(join(dir, 'toy-popularity'), await randomBundleFiles('popularity', { numItems: V }));
  await mkdir(join(dir, 'empty-folder'));
  await mkdir(join(dir, 'broken'));
  await writeFile(join(dir, 'broken', 'manifest.json'), '{"format": "something-else"}');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('listBundles', () => {
  it('lists every valid bundle folder and reports the others', async () => {
    const skipped: string[] = [];
    const bundles = await listBundles(dir, {
      urlPrefix: '/models/',
      onSkip: (folder) => skipped.push(folder),
    });
    expect(bundles.map((b) => b.id)).toEqual(['toy-compositional', 'toy-full', 'toy-popularity']);
    expect(skipped.sort()).toEqual(['broken', 'empty-folder']);
    const full = bundles.find((b) => b.kind === 'full')!;
    expect(full.url).toBe('/models/toy-full/');
    expect(full.dataset).toBe('toy'); // from the folder name when info.dataset is absent
    expect(bundles.find((b) => b.kind === 'compositional')!.dataset).toBe('toyset');
    expect(full.numItems).toBe(V);
    expect(full.random).toBe(false);
  });

  it('counts bundle bytes as manifest + files and the uncompressed size with a float32 table', async () => {
    const bundles = await listBundles(dir, { urlPrefix: '/m/' });
    const full = bundles.find((b) => b.kind === 'full')!;
    const comp = bundles.find((b) => b.kind === 'compositional')!;
    // A float32 full table is already uncompressed.
    expect(full.uncompressedBytes).toBe(full.bundleBytes);
    // The compositional bundle: shared weights the same, item table V×N float32 instead of codes + codebooks.
    const compTable = V * 4 * 1 + 4 * 16 * N * 4;
    expect(comp.uncompressedBytes! - comp.bundleBytes).toBe(V * N * 4 - compTable);
    expect(bundles.find((b) => b.kind === 'popularity')!.uncompressedBytes).toBeNull();
  });

  it("adds the strip's new-item metrics of pnpm quality's cache for the bundle's very version, none otherwise", async () => {
    const evals = join(dir, '..', `${dir.split('/').at(-1)}-evals`);
    const listed = await listBundles(dir, { urlPrefix: '/m/' });
    const full = listed.find((b) => b.id === 'toy-full')!;
    const comp = listed.find((b) => b.id === 'toy-compositional')!;
    await mkdir(join(evals, full.dataset), { recursive: true });
    await mkdir(join(evals, comp.dataset), { recursive: true });
    const entry = (version: string) => ({
      bundle: 'toy-full',
      version,
      mode: 'strip',
      result: { 'P@10': 3, newItem: { 'P@10': 6.5, 'NDCG@10': 3.25, cases: 9 } },
    });
    await writeFile(
      join(evals, full.dataset, `toy-full.${full.version}.strip.json`),
      JSON.stringify(entry(full.version)),
    );
    // A result of another (older) version of the compositional bundle: stale, not shown.
    await writeFile(
      join(evals, comp.dataset, `toy-compositional.0123456789abcdef.strip.json`),
      JSON.stringify(entry('0123456789abcdef')),
    );
    await writeFile(
      join(
        evals,
        full.dataset,
        `toy-popularity.${listed.find((b) => b.id === 'toy-popularity')!.version}.strip.json`,
      ),
      'not json',
    );
    const bundles = await listBundles(dir, { urlPrefix: '/m/', qualityEvalsDir: evals });
    const byId = new Map(bundles.map((b) => [b.id, b]));
    expect(byId.get('toy-full')!.newItemMetrics).toEqual({ 'P@10': 6.5, 'NDCG@10': 3.25, cases: 9 });
    expect(byId.get('toy-popularity')!.newItemMetrics).toBeUndefined();
    expect(byId.get('toy-compositional')!.newItemMetrics).toBeUndefined();
    await rm(evals, { recursive: true, force: true });
  });

  it('returns nothing for a missing folder', async () => {
    expect(await listBundles(join(dir, 'nope'), { urlPrefix: '/' })).toEqual([]);
  });
});

describe('chooseDefaultBundle', () => {
  const summary = (
    id: string,
    kind: BundleSummary['kind'],
    metrics: Record<string, number> = {},
    random = false,
    newItemMetrics?: Record<string, number>,
  ) => ({ id, kind, metrics, random, dataset: id.split('-')[0], newItemMetrics }) as BundleSummary;

  it('prefers a trained compressed bundle, then the teacher, then popularity', () => {
    const pop = summary('t-popularity', 'popularity');
    const teacher = summary('t-teacher', 'full', { 'NDCG@10': 19 });
    const comp = summary('t-compositional', 'compositional', { 'NDCG@10': 18 });
    expect(chooseDefaultBundle([pop, teacher, comp])).toBe(comp);
    expect(chooseDefaultBundle([pop, teacher])).toBe(teacher);
    expect(chooseDefaultBundle([pop])).toBe(pop);
    expect(chooseDefaultBundle([])).toBeUndefined();
  });

  it('never picks random weights, and picks the better of two compressed bundles', () => {
    const randomComp = summary('r-compositional', 'compositional', {}, true);
    const tt = summary('t-tt', 'tt', { 'NDCG@10': 12 });
    const sttd = summary('t-sttd', 'sttd', { 'NDCG@10': 14 });
    const pop = summary('t-popularity', 'popularity');
    expect(chooseDefaultBundle([randomComp, pop])).toBe(pop);
    expect(chooseDefaultBundle([tt, sttd, pop])).toBe(sttd);
  });

  it('shows a tensor-train baseline by default only when there is no teacher (their rows are rebuilt per query)', () => {
    const teacher = summary('t-teacher', 'full', { 'NDCG@10': 19 });
    const tt = summary('t-tt', 'tt', { 'NDCG@10': 18.5 });
    const comp = summary('t-compositional', 'compositional', { 'NDCG@10': 18 });
    expect(chooseDefaultBundle([tt, teacher])).toBe(teacher);
    expect(chooseDefaultBundle([tt, teacher, comp])).toBe(comp);
  });

  it("passes over a compressed bundle far below its own dataset's teacher", () => {
    const teacher = summary('t-teacher', 'full', { 'NDCG@10': 19 });
    const weak = summary('t-compositional', 'compositional', { 'NDCG@10': 13 });
    const otherDataset = summary('r-compositional', 'compositional', { 'NDCG@10': 12 });
    expect(chooseDefaultBundle([teacher, weak])).toBe(teacher);
    // no full model of dataset r to compare with: its compressed bundle stays eligible
    expect(chooseDefaultBundle([teacher, weak, otherDataset])).toBe(otherDataset);
  });

  it("judges by the strip's new-item NDCG@10, not the protocol's: a student that wins only through its repeat head is passed over", () => {
    // Protocol NDCG@10 nearly equal (the head's repeat cases), strip far apart: the teacher.
    const teacher = summary('t-teacher', 'full', { 'NDCG@10': 27.7 }, false, { 'NDCG@10': 3.9 });
    const comp = summary('t-compositional', 'compositional', { 'NDCG@10': 27.3 }, false, { 'NDCG@10': 0.5 });
    expect(chooseDefaultBundle([teacher, comp])).toBe(teacher);
    // A student that keeps 90 % of the teacher's strip quality is shown, though its protocol NDCG@10 is lower.
    const good = summary('t-compositional', 'compositional', { 'NDCG@10': 20 }, false, { 'NDCG@10': 3.6 });
    expect(chooseDefaultBundle([teacher, good])).toBe(good);
    // Within a tier the better strip wins over the better protocol number; unmeasured bundles come last.
    const rTeacher = summary('r-teacher', 'full', { 'NDCG@10': 20 }, false, { 'NDCG@10': 11 });
    expect(chooseDefaultBundle([teacher, rTeacher, comp])).toBe(rTeacher);
    const unmeasured = summary('u-teacher', 'full', { 'NDCG@10': 90 });
    expect(chooseDefaultBundle([unmeasured, teacher])).toBe(teacher);
    // Unmeasured against a measured teacher of its dataset: not the default.
    const blind = summary('t-compositional', 'compositional', { 'NDCG@10': 27.6 });
    expect(chooseDefaultBundle([teacher, blind])).toBe(teacher);
  });
});
