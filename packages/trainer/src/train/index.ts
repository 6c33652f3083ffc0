// Training building blocks, for scripts outside the library (experiments/, results/): the tfjs backend,
// batches, the teacher's loop, the trainer's fast evaluation and the bundle export.
export { selectBackend, type BackendName } from './backend.ts';
export { makeBatches, sessionWindows, type Batch, type Window } from './batches.ts';
export { trainModel } from './loop.ts';
export { evaluateCases, evaluateSessions } from './evaluate.ts';
export { encodeModelBundle, exportModelBundle, type ExportOptions } from './export-bundle.ts';
export { setFullSoftmaxTableGradient, type TableGradientOrder } from './full-softmax.ts';
