// `pnpm train compact` end to end: what it writes, the metrics it claims (only measured ones), its report.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBundleFromFiles, encodeBundle, tensorInputs, vocabularyInput } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { randomBundleFiles } from '@session-rec/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateBundle } from '../eval/index.ts';
import { writeZipfDataset } from '../testing/zipf-dataset.ts';
import { compactBundlePipeline, compactConfig, type CompactFlags } from './compact.ts';

const compactCommand = async (flags: CompactFlags, command: string) =>
  compactBundlePipeline(compactConfig(flags, command));

const root = mkdtempSync(join(tmpdir(), 'compact-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const V = 150;
const dataset = join(root, 'data');
writeZipfDataset(dataset, V);
const source = join(root, 'source');
const sourceMetrics = { 'P@10': 12.5, 'NDCG@10': 7.25 };
const flags = (out: string, extra: object = {}) => ({
  bundle: source,
  out,
  float16: 'all' as const,
  int8: 'none' as const,
  packCodes: true,
  headFraction: '0.1',
  ...extra,
});
const folderBytes = (dir: string) => readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);

beforeAll(async () => {
  const random = await decodeBundleFromFiles(
    await randomBundleFiles('compositional', {
      numItems: V,
      dim: 8,
      M: 4,
      K: 16,
      seed: 3,
      info: { teacherBundleBytes: 1_000_000, compressionRatioBytes: 1 },
    }),
  );
  // As a trained bundle: with test metrics in its manifest.
  await writeBundleDir(
    source,
    await encodeBundle({
      kind: random.manifest.kind,
      hyper: random.manifest.hyper,
      vocabulary: vocabularyInput(random),
      tensors: tensorInputs(random),
      metrics: sourceMetrics,
      ...(random.manifest.info ? { info: random.manifest.info } : {}),
    }),
  );
});

describe('pnpm train compact', () => {
  it('lossy without --dataset: smaller, and no metrics claimed; the byte ratio to the teacher is redone', async () => {
    const out = join(root, 'lossy');
    const report = await compactCommand(flags(out), 'test');
    const written = await readBundleDir(out);
    expect(written.manifest.metrics).toBeUndefined();
    expect(report.metrics).toBeNull();
    expect(report.bytes).toBe(folderBytes(out));
    expect(report.bytesBefore).toBe(folderBytes(source));
    expect(report.bytes as number).toBeLessThan(report.bytesBefore as number);
    expect(written.manifest.info!.compressionRatioBytes).toBeCloseTo(1_000_000 / (report.bytes as number), 1);
    expect(written.manifest.info!.compact).toMatchObject({
      float16: 'all',
      packedCodes: true,
      from: expect.any(String),
    });
  });

  it('lossless (--float16 none) keeps the source metrics', async () => {
    const out = join(root, 'lossless');
    await compactCommand(flags(out, { float16: 'none' }), 'test');
    expect((await readBundleDir(out)).manifest.metrics).toEqual(sourceMetrics);
  });

  it('with --dataset (and MGQE): the metrics stored are those pnpm eval measures on the written bundle', async () => {
    const out = join(root, 'mgqe');
    const report = await compactCommand(flags(out, { mgqe: '4', dataset }), 'test');
    const measured = await evaluateBundle({ bundleDir: out, datasetDir: dataset });
    const written = await readBundleDir(out);
    expect(written.manifest.metrics!['P@10']).toBeCloseTo(measured.metrics['P@10']!, 3);
    expect(written.manifest.metrics!['NDCG@10']).toBeCloseTo(measured.metrics['NDCG@10']!, 3);
    expect(written.manifest.metrics).not.toEqual(sourceMetrics);
    expect(report.mgqe).toMatchObject({ tailK: 4, headFraction: 0.1 });
    expect(written.manifest.tensors.find((t) => t.name === 'codes')).toMatchObject({
      bits: 4,
      narrowBits: 2,
    });
  });

  it('--mgqe without --dataset is refused before anything is written', async () => {
    const out = join(root, 'refused');
    await expect(compactCommand(flags(out, { mgqe: '4' }), 'test')).rejects.toThrow(/--mgqe needs --dataset/);
    expect(() => statSync(out)).toThrow();
  });
});
