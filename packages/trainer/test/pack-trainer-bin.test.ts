// The packed trainer as a user installs it: `pnpm pack` of the SDK and the trainer, `npm install` of both
// tarballs in a scratch folder outside the workspace (dependencies from the npm registry), then the
// `session-rec` bin with no tsx and no workspace around it. Its eval must print what the workspace's
// evaluator computes from source on the same inputs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { seededRandom } from '@session-rec/sdk/random';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateBundle } from '../src/eval/index.ts';
import { npmInstallTarballs, packPackage, workspaceRoot } from '../../sdk/scripts/pack.ts';

const popularityBundle = join(workspaceRoot, 'apps/demo-shop/public/models/tmall-popularity');
let root: string;
let app: string;
let dataset: string;

function sessionRec(...args: string[]) {
  // npx finds the bin the install linked into the scratch project's node_modules/.bin.
  return spawnSync('npx', ['--no-install', 'session-rec', ...args], {
    cwd: app,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pack-trainer-'));
  app = join(root, 'app');
  const tarballs = [packPackage('packages/sdk', root), packPackage('packages/trainer', root)];
  npmInstallTarballs(app, tarballs);

  // A tiny dataset over the shipped bundle's vocabulary: half the labels among its 20 most popular items
  // (so that the metrics are not all zero), half random.
  const bundle = await readBundleDir(popularityBundle);
  const V = bundle.manifest.hyper.numItems;
  const top = (await createCpuEngine(bundle).recommend([], { k: 20 })).map((r) => bundle.itemIds(r.index));
  const rand = seededRandom(7);
  const item = () => String(1 + Math.floor(rand() * V));
  const session = (n: number) => Array.from({ length: n }, item).join(' ');
  dataset = join(root, 'data');
  mkdirSync(dataset);
  writeFileSync(join(dataset, 'train.txt'), Array.from({ length: 50 }, () => session(4)).join('\n') + '\n');
  const tests = Array.from({ length: 40 }, (_, i) => {
    const label = i % 2 === 0 ? top[Math.floor(rand() * top.length)] : item();
    return `${session(1 + (i % 3))}\t${label}`;
  });
  writeFileSync(join(dataset, 'test.txt'), tests.join('\n') + '\n');
  writeFileSync(join(dataset, 'dataset.json'), JSON.stringify({ name: 'tiny-tmall', numItems: V }));
}, 600_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('session-rec bin from the packed trainer', () => {
  it('--help lists eval and the train commands', () => {
    const run = sessionRec('--help');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/session-rec eval --bundle/);
    expect(run.stdout).toMatch(/popularity \[options\]/);
    expect(run.stdout).toMatch(/teacher \[options\]/);
    expect(run.stdout).toMatch(/prepare \[options\]/);
    expect(run.stdout).toMatch(/export-onnx \[options\]/);
  });

  it('eval of a shipped popularity bundle prints the metrics the source evaluator computes', async () => {
    const expected = await evaluateBundle({ bundleDir: popularityBundle, datasetDir: dataset, workers: 1 });
    expect(expected.metrics['P@20']).toBeGreaterThan(0);
    // --workers 2 runs the built worker file (dist/eval/worker.js) as well.
    for (const workers of ['1', '2']) {
      const run = sessionRec(
        'eval',
        '--bundle',
        popularityBundle,
        '--dataset',
        dataset,
        '--workers',
        workers,
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/eval: popularity bundle on tiny-tmall, 40 cases/);
      const got = JSON.parse(run.stdout) as Record<string, number>;
      expect(Object.keys(got)).toEqual(Object.keys(expected.metrics));
      for (const [name, value] of Object.entries(expected.metrics)) expect(got[name]).toBeCloseTo(value, 3);
    }
  });

  it('a bad flag value ends with exit code 1 and a message', () => {
    const run = sessionRec('eval', '--bundle', popularityBundle, '--dataset', dataset, '--limit', '0');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--limit must be a positive integer/);
  });

  it('trains a tiny teacher on the tfjs wasm backend (its .wasm files resolve from the install)', () => {
    const out = join(root, 'teacher');
    const run = sessionRec(
      ...['teacher', '--dataset', dataset, '--out', out, '--report', join(root, 'teacher.json')],
      ...['--checkpoint', join(root, 'ck'), '--epochs', '1', '--dim', '8', '--heads', '1', '--blocks', '1'],
      ...['--dropout', '0.1', '--backend', 'wasm', '--no-progress', '--no-test'],
    );
    expect(run.status, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      kind: string;
      hyper: { dim: number };
    };
    expect(manifest.kind).toBe('full');
    expect(manifest.hyper.dim).toBe(8);
  });

  it("@duckdb/node-api's native binding loads from the installed trainer", () => {
    const script =
      "const { DuckDBInstance } = await import('@duckdb/node-api');" +
      "const c = await (await DuckDBInstance.create(':memory:')).connect();" +
      "console.log((await (await c.run('select 6 * 7 as x')).getRows())[0][0]);";
    const trainerDir = join(app, 'node_modules/@session-rec/trainer');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: trainerDir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('42');
  });
});
