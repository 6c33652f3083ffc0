// exportOnnx against the CPU engine: ONNX Runtime (onnxruntime-web's wasm build, in Node) must give
// scoreAll(session) and θ for random bundles of every kind, with and without the heads, at session lengths
// 1 … maxLen, and for shipped bundles on real sessions. Rule: max_i |onnx_i − cpu_i| / max(1, max_i |cpu_i|)
// ≤ 1e-4 (float32 sums in a different order; the scores are O(1–10)).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBundleFromFiles, encodeBundle, type ModelBundle } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { randomBundleFiles, seededRandom, type RandomBundleOptions } from '@session-rec/sdk/testing';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { exportOnnxCommand } from '../cli/commands/export-onnx.ts';
import { compactBundleInput } from '../compact/compact-bundle.ts';
import { exportOnnx } from './index.ts';

ort.env.wasm.numThreads = 1;

const TOLERANCE = 1e-4;

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst / scale;
}

async function onnxSession(bundle: ModelBundle): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(exportOnnx(bundle));
}

async function run(session: ort.InferenceSession, window: readonly number[]) {
  const items = new ort.Tensor('int64', BigInt64Array.from(window, BigInt), [window.length]);
  const out = await session.run({ items });
  return { scores: out.scores.data as Float32Array, theta: out.theta?.data as Float32Array | undefined };
}

/** Compares ONNX Runtime with the CPU engine on each session (the graph reads the last maxLen clicks). */
async function expectSameScores(bundle: ModelBundle, sessions: number[][]): Promise<void> {
  const cpu = createCpuEngine(bundle);
  const onnx = await onnxSession(bundle);
  const maxLen = bundle.manifest.hyper.maxLen;
  for (const session of sessions) {
    const got = await run(onnx, session.slice(-maxLen));
    const want = cpu.scoreAll(session);
    expect(relativeError(got.scores, want), `scores, session length ${session.length}`).toBeLessThan(
      TOLERANCE,
    );
    if (bundle.manifest.kind !== 'popularity') {
      expect(relativeError(got.theta!, cpu.encode(session)!)).toBeLessThan(TOLERANCE);
    }
  }
  await onnx.release();
}

/** Sessions of the given lengths over a small pool of items, so that items repeat (the repeat head's case). */
function randomSessions(V: number, lengths: number[], seed: number): number[][] {
  const rand = seededRandom(seed);
  const pool = Array.from({ length: 6 }, () => Math.floor(rand() * V));
  return lengths.map((n) =>
    Array.from({ length: n }, () =>
      rand() < 0.5 ? pool[Math.floor(rand() * pool.length)] : Math.floor(rand() * V),
    ),
  );
}

const V = 150;
const maxLen = 8;
const lengths = [1, 2, 5, maxLen, maxLen + 4];
const base: RandomBundleOptions = { numItems: V, dim: 16, heads: 2, blocks: 2, maxLen, seed: 11 };
const heads = { repeatHead: 4, popularityPrior: 25 };

describe('exportOnnx: ONNX Runtime equals the CPU engine', () => {
  const cases: [string, 'full' | 'compositional' | 'tt' | 'sttd' | 'popularity', RandomBundleOptions][] = [
    ['full', 'full', base],
    ['full + heads', 'full', { ...base, ...heads }],
    ['compositional', 'compositional', base],
    [
      'compositional + heads, float16',
      'compositional',
      { ...base, ...heads, floatDType: 'float16', seed: 5 },
    ],
    ['compositional K > 256 (uint16 codes), 1 head', 'compositional', { ...base, M: 2, K: 300, heads: 1 }],
    ['tt', 'tt', base],
    ['tt + heads, 2 cores', 'tt', { ...base, ...heads, ttP: [10, 15], ttQ: [4, 4], ttRanks: [3] }],
    ['sttd', 'sttd', base],
    ['sttd + heads, float16', 'sttd', { ...base, ...heads, floatDType: 'float16', sttdT: 4, sttdRank: 8 }],
    ['popularity', 'popularity', { numItems: V, maxLen }],
  ];
  for (const [label, kind, options] of cases) {
    it(label, async () => {
      const bundle = await decodeBundleFromFiles(await randomBundleFiles(kind, options));
      await expectSameScores(bundle, randomSessions(V, lengths, options.seed ?? 1));
    });
  }

  it('compositional as pnpm train compact stores it: float16, bit-packed MGQE codes (row-packed)', async () => {
    const trained = await decodeBundleFromFiles(
      await randomBundleFiles('compositional', { ...base, ...heads, K: 32, seed: 8 }),
    );
    const itemCounts = Float64Array.from({ length: V }, (_, i) => V - i);
    const { input } = compactBundleInput(trained, {
      float16: 'all',
      packCodes: true,
      mgqe: { tailK: 4, headFraction: 0.2, itemCounts },
    });
    const files = await encodeBundle(input);
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as {
      tensors: { name: string; bits?: number; narrowBits?: number }[];
    };
    expect(manifest.tensors.find((t) => t.name === 'codes')).toMatchObject({ bits: 5, narrowBits: 2 });
    await expectSameScores(await decodeBundleFromFiles(files), randomSessions(V, lengths, 8));
  });

  it('the repeat head is in the graph: a repeated item moves its score', async () => {
    const bundle = await decodeBundleFromFiles(await randomBundleFiles('full', { ...base, ...heads }));
    const onnx = await onnxSession(bundle);
    const plain = await onnxSession(await decodeBundleFromFiles(await randomBundleFiles('full', base)));
    const window = [3, 7, 3, 9];
    const [withHead, without] = [(await run(onnx, window)).scores, (await run(plain, window)).scores];
    // Same encoder weights (same seed), so only the head's items (and the prior's) differ.
    expect(Math.abs(withHead[7] - without[7])).toBeGreaterThan(1e-3);
  });
});

// A few Tmall test sessions (external ids, oldest first) from ../shared/datasets/tmall/test.txt.
const TMALL_SESSIONS = [
  '40601 16243 19928 25359 6204 19689 29972 16243 30096 20412 20412 37402 30943 20412',
  '16156 16156',
  '12555 4379 3830 21039 12555',
  '35788 35717 35260',
].map((line) => line.split(' '));

const models = join(import.meta.dirname, '../../../../apps/demo-shop/public/models');
describe('exportOnnx on shipped bundles', () => {
  for (const name of ['tmall-compositional', 'tmall-tt']) {
    it.skipIf(!existsSync(join(models, name)))(name, async () => {
      const bundle = await readBundleDir(join(models, name));
      const sessions = TMALL_SESSIONS.map((ids) =>
        ids.map((id) => bundle.itemIndex(id)).filter((i) => i >= 0),
      );
      expect(sessions.every((s) => s.length > 0)).toBe(true);
      await expectSameScores(bundle, sessions);
    });
  }
});

describe('pnpm train export-onnx', () => {
  it('writes the model ONNX Runtime loads, reports both sizes; a missing bundle is a BundleLoadError', async () => {
    const root = mkdtempSync(join(tmpdir(), 'export-onnx-'));
    try {
      const files = await randomBundleFiles('compositional', { ...base, ...heads });
      await writeBundleDir(join(root, 'bundle'), files);
      const out = join(root, 'out', 'model.onnx');
      const report = await exportOnnxCommand({ bundle: join(root, 'bundle'), out });
      const bytes = readFileSync(out);
      expect(report).toMatchObject({ kind: 'compositional', onnxBytes: bytes.byteLength });
      expect(report.bundleBytes).toBe([...files.values()].reduce((s, f) => s + f.byteLength, 0));
      const bundle = await decodeBundleFromFiles(files);
      const onnx = await ort.InferenceSession.create(bytes);
      const window = [4, 9, 4];
      expect(
        relativeError((await run(onnx, window)).scores, createCpuEngine(bundle).scoreAll(window)),
      ).toBeLessThan(TOLERANCE);
      await expect(exportOnnxCommand({ bundle: join(root, 'missing'), out })).rejects.toThrow(
        /BundleLoadError|manifest\.json/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
