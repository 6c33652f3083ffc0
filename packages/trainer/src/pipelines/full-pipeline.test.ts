// pnpm train pipeline on a tiny fixture: a loadable bundle; killed after stage 2 and rerun with resume, the
// finished stages are skipped; the budget split.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { afterAll, describe, expect, it } from 'vitest';
import { writeZipfDataset } from '../testing/zipf-dataset.ts';
import { runFullPipeline, stageShares, STAGES, type Stage } from './full-pipeline.ts';

const tmp = mkdtempSync(join(tmpdir(), 'pipeline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pnpm train pipeline', () => {
  it('splits the budget by the shipped stages’ minutes, over the stages left', () => {
    const all = stageShares(100, { teacher: 60, student: 150 });
    expect(Object.values(all).reduce((a, b) => a + b, 0)).toBeCloseTo(100, 9);
    expect(all.student! / all.teacher!).toBeCloseTo(150 / 60, 9);
    const left = stageShares(100, { teacher: 60, student: 150 }, ['head', 'compact', 'eval']);
    expect(Object.keys(left)).toEqual(['head', 'compact', 'eval']);
    expect(left.head).toBeCloseTo(100 / 3, 9);
  });

  it('produces a loadable bundle; killed after stage 2, --resume skips the finished stages', async () => {
    const dataset = join(tmp, 'zipf');
    writeZipfDataset(dataset, 40);
    const out = join(tmp, 'run');
    const base = {
      datasetDir: dataset,
      out,
      backend: 'cpu',
      progress: false,
      stageFlags: {
        teacher: { dim: '16', epochs: '1', batchPositions: '256', negatives: '16', validMaxSessions: '50' },
        student: { M: '2', K: '8', pretrainEpochs: '1', epochs: '0', batchPositions: '256', negatives: '16' },
      },
    };
    const ran: Stage[] = [];
    await expect(
      runFullPipeline({
        ...base,
        resume: false,
        afterStage: (s) => {
          ran.push(s);
          if (s === 'student') throw new Error('simulated kill');
        },
      }),
    ).rejects.toThrow('simulated kill');
    expect(ran).toEqual(['teacher', 'student']);
    const teacherManifest = readFileSync(join(out, 'teacher', 'bundle', 'manifest.json'), 'utf8');

    const rerun: Stage[] = [];
    const result = await runFullPipeline({ ...base, resume: true, afterStage: (s) => rerun.push(s) });
    expect(rerun).toEqual(['head', 'compact', 'eval']);
    expect(result.finished).toBe(true);
    // the teacher was not trained again
    expect(readFileSync(join(out, 'teacher', 'bundle', 'manifest.json'), 'utf8')).toBe(teacherManifest);
    const bundle = await readBundleDir(join(out, 'bundle'));
    expect(bundle.manifest.kind).toBe('compositional');
    expect(Object.keys(result.state.stages)).toEqual([...STAGES]);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| protocol \| [\d.]+ \|/);
    expect(summary).toMatch(/\| excludeSeen \| [\d.]+ \|/);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
  }, 240_000);
});
