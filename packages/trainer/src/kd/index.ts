// Distillation, for scripts outside the library (experiments/, results/): the two-stage student loop, its
// CPU-engine evaluation, and the codebook refinement.
export { trainStudent, type StudentTrainOptions, type StudentTrainResult } from './train-student.ts';
export { Distiller, FULL_KD, NO_KD, paperKdDefaults, type KdSwitches, type KdWeights } from './distiller.ts';
export { evaluateWithCpuEngine, sessionCases } from './evaluate-student.ts';
export {
  accumulateExploreGradient,
  CodebookAdam,
  type CodebookModel,
  type ExploreCase,
} from './refine-codebooks.ts';
