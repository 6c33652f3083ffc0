// @session-rec/sdk — on-device session recommendations for a web shop (README.md has the guide).
export {
  createRecommender,
  type Recommender,
  type RecommenderOptions,
  type RecommendOptions,
  type Recommendation,
  type ModelInfo,
} from './recommender/recommender.ts';
export type { Backend } from './recommender/engines.ts';
export type { LoadProgress } from './storage/model-loader.ts';
export {
  isModelStored,
  getStoredModel,
  listStoredModels,
  deleteStoredModel,
  getStorageUsage,
  type StoredModelInfo,
  type StorageUsage,
} from './storage/stored-models.ts';
export {
  RecommenderWarningEvent,
  EngineChoiceEvent,
  type EngineChoiceListener,
  type RecommenderWarning,
  type WarningCode,
  type WarningListener,
} from './events.ts';
export type {
  EngineChoice,
  EngineChoiceReason,
  AdapterDescription,
  CalibrationTimings,
} from './engine/engine-choice.ts';
export { RecommenderDisposedError, BackendUnavailableError } from './errors.ts';
export { DEFAULT_SESSION_TIMEOUT_MS } from './session/click-session.ts';
// The codec's typed errors: what a corrupt, truncated or unsupported bundle throws.
export {
  BundleError,
  BundleFormatError,
  BundleVersionError,
  BundleSchemaError,
  BundleIntegrityError,
  BundleTruncatedError,
  BundleShapeError,
  BundleValueError,
  BundleLoadError,
  type BundleErrorCode,
} from './bundle/errors.ts';
export type { ModelKind, Manifest } from './bundle/types.ts';
