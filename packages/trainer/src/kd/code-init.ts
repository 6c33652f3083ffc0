// Where the student's codes start (`pnpm train student --code-init`): the score-aware quantiser needs
// the second moment S = E[θθᵀ] of the teacher's session representations on training prefixes.
import * as tf from '@tensorflow/tfjs-core';
import type { SessionModel } from '../model/session-model.ts';
import { secondMoment } from '../model/score-aware-quantiser.ts';
import { makeBatches, sessionWindows } from '../train/batches.ts';

/** S = E[θθᵀ] over ~`positions` random training prefixes, θ from `model` in inference mode. */
export function teacherSessionMoment(
  model: SessionModel,
  sessions: Int32Array[],
  seed: number,
  positions = 20_000,
): Float64Array {
  const N = model.hyper.dim;
  const windows = sessions.flatMap((s) => sessionWindows(s, model.hyper.maxLen));
  const batches = makeBatches(windows, 512, seed * 97 + 11);
  const chunks: Float32Array[] = [];
  let n = 0;
  for (const batch of batches) {
    if (n >= positions) break;
    const theta = tf.tidy(() => {
      const { theta } = model.thetaAt(batch, false);
      return theta.dataSync() as Float32Array;
    });
    chunks.push(theta.slice());
    n += batch.positions.length;
  }
  const all = new Float32Array(n * N);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return secondMoment(all, n, N);
}
