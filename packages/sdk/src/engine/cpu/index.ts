// `@session-rec/sdk/engine/cpu`: the plain-TypeScript engine, its reference encoder, and the item-table
// registry through which every bundle kind plugs in.
export { createCpuEngine, type CpuScoringEngine } from './engine.ts';
export { createEncoder, type SessionEncoder } from './encoder.ts';
export { createItemTable, itemTableKinds, registerItemTable } from './item-tables/registry.ts';
export type { ItemTable, ItemTableFactory } from './item-tables/types.ts';
export {
  CpuEngineError,
  EngineDisposedError,
  ModelHyperError,
  ModelTensorError,
  UnknownModelKindError,
} from '../errors.ts';
export { topK, ranksBefore, validateK } from '../topk.ts';
/** Typed, checked access to a bundle's tensors and hyper-parameters (for item tables and other engines). */
export {
  hyperNumber,
  requireEncoderHyper,
  requireHyperInt,
  requireTensor,
  tensorShape,
  type EncoderHyper,
} from '../tensors.ts';
