import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { randomBundleFiles } from '@session-rec/sdk/testing';
import { writeZipfDataset } from '../testing/zipf-dataset.ts';
import { tuneForNewItems, type NewItemTuningConfig } from './new-item-tuning.ts';

const V = 40;
let dir = '';
let config: NewItemTuningConfig;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'new-items-'));
  writeZipfDataset(join(dir, 'data'), V);
  await writeBundleDir(
    join(dir, 'student'),
    await randomBundleFiles('compositional', {
      numItems: V,
      dim: 8,
      heads: 2,
      M: 3,
      K: 8,
      maxLen: 6,
      seed: 4,
      scale: 0.2,
      repeatHead: 4,
      info: { seed: 42 },
    }),
  );
  config = {
    bundleDir: join(dir, 'student'),
    datasetDir: join(dir, 'data'),
    outDir: join(dir, 'out'),
    reportPath: join(dir, 'report.json'),
    epochs: 3,
    maxMinutes: 10,
    lr: 1e-2,
    l2: 0,
    positionsPerBatch: 64,
    patience: 3,
    validFraction: 0.2,
    checkpointMinutes: 100,
    resume: false,
    progress: false,
    command: 'test',
    log: () => {},
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnpm train new-items', () => {
  it('raises the validation new-item score; codes kept, codebooks and encoder changed, stale head dropped', async () => {
    const report = await tuneForNewItems(config);
    const before = report.validBefore['P@10']! + report.validBefore['NDCG@10']!;
    const after = report.validAfter['P@10']! + report.validAfter['NDCG@10']!;
    expect(after).toBeGreaterThan(before);
    const source = await readBundleDir(config.bundleDir);
    const out = await readBundleDir(config.outDir);
    expect(out.manifest.version).not.toBe(source.manifest.version);
    expect(Array.from(out.tensors.get('codes')!.data)).toEqual(Array.from(source.tensors.get('codes')!.data));
    expect(out.tensors.get('codebooks')!.data).not.toEqual(source.tensors.get('codebooks')!.data);
    expect(out.tensors.get('block0.attn.wq')!.data).not.toEqual(source.tensors.get('block0.attn.wq')!.data);
    expect(source.tensors.has('repeat.weights')).toBe(true);
    expect([...out.tensors.keys()].some((n) => n.startsWith('repeat.'))).toBe(false);
    expect(out.manifest.info?.newItemTuning).toMatchObject({ from: { version: source.manifest.version } });
    expect(JSON.parse(readFileSync(config.reportPath, 'utf8')).outVersion).toBe(out.manifest.version);
    // the result is a bundle the SDK scores
    const engine = createCpuEngine(out);
    expect((await engine.recommend([0, 1], { k: 5 })).length).toBe(5);
    expect(engine.scoreAll([0, 1]).every(Number.isFinite)).toBe(true);
  });

  it('refuses a non-compositional bundle and a dataset of another catalogue', async () => {
    await writeBundleDir(
      join(dir, 'full'),
      await randomBundleFiles('full', { numItems: V, dim: 8, maxLen: 6 }),
    );
    await expect(
      tuneForNewItems({ ...config, bundleDir: join(dir, 'full'), outDir: join(dir, 'x') }),
    ).rejects.toThrow(/expected a 'compositional' bundle/);
    writeZipfDataset(join(dir, 'other'), V + 5);
    await expect(
      tuneForNewItems({ ...config, datasetDir: join(dir, 'other'), outDir: join(dir, 'y') }),
    ).rejects.toThrow(/not the data it was trained on/);
  });
});
