// Pins trainer = CPU engine = docs/model.md: a small random teacher, exported through the bundle
// codec, must score every item exactly as the tfjs forward pass does.
import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { decodeBundleFromFiles } from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTeacher, loadTeacherFromBundle } from './teacher.ts';
import { exportModelBundle } from '../train/export-bundle.ts';
import { sessionPopularityOrder } from '../data/index.ts';
import type { SessionModel } from './session-model.ts';
import { encodeModelBundle } from '../train/export-bundle.ts';
import { seededRandom } from '../data/prng.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Perturbs every weight (LN gains/biases included) so no term of the forward pass is trivially 0 or 1. */
function randomise(model: SessionModel, seed: number): void {
  let k = 0;
  for (const v of model.variables()) {
    tf.tidy(() => v.assign(tf.add(v, tf.randomUniform(v.shape, -0.3, 0.3, 'float32', seed + ++k))));
  }
}

function tfjsScores(model: SessionModel, session: number[]): Float32Array {
  return tf.tidy(() => {
    const batch = {
      batch: 1,
      len: session.length,
      items: Int32Array.from(session),
      positions: Int32Array.of(session.length - 1),
    };
    const { theta, table } = model.thetaAt(batch, false);
    return tf.matMul(theta, table, false, true).dataSync() as Float32Array;
  });
}

describe('teacher export matches the CPU engine', () => {
  for (const [heads, blocks] of [
    [1, 1],
    [2, 2],
  ] as const) {
    it(`heads=${heads}, blocks=${blocks}: scoreAll equals the tfjs forward pass`, async () => {
      const numItems = 37;
      const dim = 8;
      const model = createTeacher(
        numItems,
        { dim, heads, blocks, maxLen: 6, embScale: Math.sqrt(dim), layerNormEps: 1e-8, dropout: 0.5 },
        3,
      );
      randomise(model, 11);
      const files = await encodeModelBundle(model, {
        popularity: sessionPopularityOrder([Int32Array.of(1, 2, 3)], numItems),
        tableDtype: 'float32',
      });
      const engine = createCpuEngine(await decodeBundleFromFiles(files));
      const random = seededRandom(5);
      for (let trial = 0; trial < 6; trial++) {
        const len = 1 + Math.floor(random() * 6);
        const session = Array.from({ length: len }, () => Math.floor(random() * numItems));
        const expected = tfjsScores(model, session);
        const actual = engine.scoreAll(session);
        const scale = Math.max(...expected.map(Math.abs));
        for (let i = 0; i < numItems; i++)
          expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(1e-4 * scale);
      }
      engine.dispose();
      model.dispose();
    });
  }
});

describe('loadTeacherFromBundle', () => {
  it('rebuilds a trainable teacher with the exported weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'teacher-bundle-'));
    try {
      const numItems = 23;
      const model = createTeacher(
        numItems,
        { dim: 8, heads: 2, blocks: 1, maxLen: 5, embScale: 2, layerNormEps: 1e-8, dropout: 0.2 },
        8,
      );
      randomise(model, 3);
      await exportModelBundle(join(dir, 'b'), model, {
        popularity: sessionPopularityOrder([], numItems),
        tableDtype: 'float32',
        info: { dropout: 0.2 },
      });
      const loaded = await loadTeacherFromBundle(join(dir, 'b'));
      expect(loaded.hyper).toEqual(model.hyper);
      expect(loaded.variables().every((v) => v.trainable)).toBe(true);
      for (const session of [[1], [4, 4, 9], [22, 0, 5, 7, 3]]) {
        const a = tfjsScores(model, session);
        const b = tfjsScores(loaded, session);
        for (let i = 0; i < numItems; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
      }
      model.dispose();
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
