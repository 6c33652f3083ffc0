// A scoring worker's loop (score-worker.ts runs it in a Web Worker; tests run it in a Node worker_thread):
// sleep until the generation moves, score the range, publish the top k, repeat until told to stop.
import { CTRL, LIMITS, type WorkerInit } from './protocol.ts';
import { scoreRange } from './range-scoring.ts';

export function serveRange(init: WorkerInit): void {
  const { ctrl, worker, range } = init;
  const resultBase = worker * LIMITS.k;
  let served = 0;
  for (;;) {
    Atomics.wait(ctrl, CTRL.generation, served);
    const generation = Atomics.load(ctrl, CTRL.generation);
    if (generation < 0) return;
    if (generation === served) continue;
    served = generation;
    const excludeCount = ctrl[CTRL.excludeCount];
    const exclude = excludeCount > 0 ? new Set(init.exclude.subarray(0, excludeCount)) : undefined;
    const top = scoreRange(
      init.scorer,
      init.prior,
      {
        input: init.input,
        k: ctrl[CTRL.k],
        exclude,
        boosts: {
          count: ctrl[CTRL.boostCount],
          indices: init.boostIndices,
          values: init.boostValues,
          scoreWeight: init.scoreWeight[0],
        },
      },
      init.scores,
      range[0],
      range[1],
    );
    for (let r = 0; r < top.length; r++) {
      init.resultIndex[resultBase + r] = top[r].index;
      init.resultScore[resultBase + r] = top[r].score;
    }
    ctrl[CTRL.countBase + worker] = top.length;
    Atomics.store(ctrl, CTRL.doneBase + worker, generation);
  }
}
