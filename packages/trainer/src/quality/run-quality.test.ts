// `pnpm quality` as a library, end to end on a fixture: the rows hold what evaluateBundle gives in each
// mode, bytes and ratios come from the folders, evaluations are cached by bundle version, bad input is one line.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBundleDir } from '@session-rec/sdk/bundle/node';
import { randomBundleFiles } from '@session-rec/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateBundle } from '../eval/index.ts';
import { writeZipfDataset } from '../testing/zipf-dataset.ts';
import { QualityInputError, runQuality, writeQualityOutputs, type QualityOptions } from './index.ts';

const V = 120;
const root = mkdtempSync(join(tmpdir(), 'quality-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const datasetDir = join(root, 'datasets/fix');
const modelsDir = join(root, 'models');
const options = { numItems: V, dim: 8, heads: 1, blocks: 1, maxLen: 8, M: 2, K: 16 };
const logs: string[] = [];
const opts = (extra: Partial<QualityOptions> = {}): QualityOptions => ({
  datasets: [{ name: 'fix', dir: datasetDir }],
  root,
  modelsDir,
  candidatesFile: join(root, 'candidates.json'),
  cacheDir: join(root, 'out/evals'),
  outDir: join(root, 'out'),
  benchFile: join(root, 'bench.json'),
  log: (line) => logs.push(line),
  ...extra,
});

beforeAll(async () => {
  writeZipfDataset(datasetDir, V);
  await writeBundleDir(
    join(modelsDir, 'fix-teacher'),
    await randomBundleFiles('full', { ...options, seed: 1, repeatHead: 4, popularityPrior: 10 }),
  );
  await writeBundleDir(
    join(modelsDir, 'fix-compositional'),
    await randomBundleFiles('compositional', { ...options, seed: 2 }),
  );
  await writeBundleDir(
    join(modelsDir, 'other-teacher'),
    await randomBundleFiles('full', { ...options, seed: 3 }),
  );
  await writeBundleDir(join(root, 'cands/fix-tt'), await randomBundleFiles('tt', { ...options, seed: 4 }));
  writeFileSync(
    join(root, 'candidates.json'),
    JSON.stringify({ candidates: ['cands/fix-tt', 'cands/fix-teacher-d32'] }),
  );
});

describe('runQuality', () => {
  it('one row per bundle of the dataset, each mode what evaluateBundle gives; missing candidates reported', async () => {
    const report = await runQuality(opts());
    const [d] = report.datasets;
    expect(d!.rows.map((r) => r.bundle)).toEqual(['fix-compositional', 'fix-teacher', 'fix-tt']);
    expect(d!.missingCandidates).toEqual(['cands/fix-teacher-d32']);
    const teacher = d!.rows.find((r) => r.bundle === 'fix-teacher')!;
    const bytesOf = (dir: string) =>
      readdirSync(dir).reduce((s, f) => s + readFileSync(join(dir, f)).byteLength, 0);
    expect(teacher.bytes).toBe(bytesOf(join(modelsDir, 'fix-teacher')));
    expect(teacher.timesSmaller).toBe(1);
    expect(teacher.eq11).toBe(1);
    const comp = d!.rows.find((r) => r.bundle === 'fix-compositional')!;
    expect(comp.timesSmaller).toBeCloseTo(teacher.bytes / comp.bytes, 10);
    expect(comp.eq11).toBeCloseTo((V * 8) / (2 * 16 * 8 + 2 * V), 10); // Eq. 11
    // One scoring pass for the three modes gives exactly what each `pnpm eval` run gives (then rounded),
    // for every kind: the full teacher with a head, the compositional student, the tt candidate.
    const r = (x: number) => Number(x.toFixed(4));
    const dirs: Record<string, string> = {
      'fix-teacher': join(modelsDir, 'fix-teacher'),
      'fix-compositional': join(modelsDir, 'fix-compositional'),
      'fix-tt': join(root, 'cands/fix-tt'),
    };
    for (const row of d!.rows) {
      const direct = async (extra: object) =>
        evaluateBundle({ bundleDir: dirs[row.bundle]!, datasetDir, byRepeat: true, ...extra });
      const [strip, theta, protocol] = [
        await direct({ excludeSeen: true }),
        await direct({ head: false }),
        await direct({}),
      ];
      expect(row.strip).toEqual({
        'P@10': r(strip.newItem!['P@10']!),
        'NDCG@10': r(strip.newItem!['NDCG@10']!),
      });
      for (const k of ['P@10', 'NDCG@10', 'P@20', 'MRR@20']) {
        expect(row.theta[k]).toBe(r(theta.metrics[k]!));
        expect(row.protocol[k]).toBe(r(protocol.metrics[k]!));
      }
      expect(row.newItemP10).toBe(r(protocol.newItem!['P@10']!));
      expect(row.repeatP10).toBe(r(protocol.repeat!['P@10']!));
      expect(strip.repeat!['P@10']).toBe(0);
    }
    expect(teacher.theta['P@10']).not.toBe(teacher.protocol['P@10']); // the head counts
    expect(d!.front.length).toBeGreaterThan(0);
    expect(logs.filter((l) => / evaluated: /.test(l))).toHaveLength(3);

    writeQualityOutputs(join(root, 'out'), report);
    const readme = readFileSync(join(root, 'out/README.md'), 'utf8');
    for (const name of ['fix-compositional', 'fix-teacher', 'fix-tt (candidate)', 'cands/fix-teacher-d32'])
      expect(readme).toContain(name);
    expect(readme).toContain(teacher.strip['NDCG@10'].toFixed(2));
    expect(readFileSync(join(root, 'out/pareto.svg'), 'utf8')).toMatch(/^<svg/);
    expect(JSON.parse(readFileSync(join(root, 'out/quality.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
  });

  it('cached by bundle version: a second run evaluates nothing, a rebuilt bundle and --force evaluate again', async () => {
    logs.length = 0;
    await runQuality(opts());
    expect(logs.filter((l) => / evaluated: /.test(l))).toEqual([]);
    await writeBundleDir(
      join(modelsDir, 'fix-compositional'),
      await randomBundleFiles('compositional', { ...options, seed: 9 }),
    );
    await runQuality(opts());
    expect(logs.filter((l) => / evaluated: /.test(l)).every((l) => l.includes('fix-compositional'))).toBe(
      true,
    );
    expect(logs.filter((l) => / evaluated: /.test(l))).toHaveLength(1);
    logs.length = 0;
    await runQuality(opts({ bundles: [join(modelsDir, 'fix-compositional')], force: true }));
    expect(logs.filter((l) => / evaluated: /.test(l))).toHaveLength(1);
  });

  it('the benchmark p50 appears only for the very bundle it measured (same name and bytes)', async () => {
    const first = await runQuality(opts());
    const comp = first.datasets[0]!.rows.find((r) => r.bundle === 'fix-compositional')!;
    const row = (bytes: number) => ({
      bundleId: 'fix-compositional',
      engine: 'cpu',
      bundleBytes: bytes,
      byLength: [{ length: 5, p50Ms: 0.42 }],
    });
    writeFileSync(join(root, 'bench.json'), JSON.stringify({ rows: [row(comp.bytes)] }));
    const measured = await runQuality(opts());
    expect(measured.datasets[0]!.rows.find((r) => r.bundle === 'fix-compositional')!.cpuP50Ms).toBe(0.42);
    writeFileSync(join(root, 'bench.json'), JSON.stringify({ rows: [row(comp.bytes + 1)] }));
    const stale = await runQuality(opts());
    expect(stale.datasets[0]!.rows.find((r) => r.bundle === 'fix-compositional')!.cpuP50Ms).toBeUndefined();
  });

  it('a missing bundle, a corrupt manifest or a bad candidates file is a one-line QualityInputError', async () => {
    logs.length = 0;
    // Checked before any evaluation, also when the bad bundle comes after a good one.
    const bundles = [join(modelsDir, 'fix-teacher'), join(root, 'nope')];
    await expect(runQuality(opts({ bundles, force: true }))).rejects.toThrow(
      /bundle folder not found: .*nope/,
    );
    expect(logs.filter((l) => / evaluated: /.test(l))).toEqual([]);
    const bad = join(modelsDir, 'fix-broken');
    mkdirSync(bad);
    writeFileSync(join(bad, 'manifest.json'), '{"format": "session-rec-bundle"');
    await expect(runQuality(opts())).rejects.toThrow(QualityInputError);
    await expect(runQuality(opts())).rejects.toThrow(/bundle .*fix-broken: corrupt manifest.json/);
    rmSync(bad, { recursive: true });
    writeFileSync(join(root, 'bad-candidates.json'), '{"candidates": [1]}');
    await expect(runQuality(opts({ candidatesFile: join(root, 'bad-candidates.json') }))).rejects.toThrow(
      /must be \{"candidates"/,
    );
    await expect(runQuality(opts({ datasets: [{ name: 'fix', dir: join(root, 'none') }] }))).rejects.toThrow(
      /has no test.txt/,
    );
    expect(existsSync(join(root, 'out/evals/fix'))).toBe(true);
  });
});
