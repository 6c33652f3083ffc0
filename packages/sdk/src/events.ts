// Warnings: things a shop should know about but that must not break the page (SPEC §5: unknown ids are
// reported, never thrown; storage and GPU problems degrade with a warning), and engine-choice changes.
import type { EngineChoice } from './engine/engine-choice.ts';

export type WarningCode =
  /** `track()` got an id the model's vocabulary does not contain, or a restored session held one (a model
   *  update removed the item); the click was skipped. */
  | 'unknown-item'
  /** IndexedDB is unavailable (private window, blocked) or full: the model lives in memory for this page only. */
  | 'storage-fallback'
  /** `backend: 'auto'` could not use WebGPU (no adapter, or the engine failed to start): the CPU engine runs. */
  | 'webgpu-unavailable'
  /** The GPU device was lost (driver reset, tab in background): the CPU engine took over, the session is kept. */
  | 'device-lost'
  /** The WebGPU engine failed on a call: the CPU engine answered it and runs from now on. */
  | 'engine-error'
  /** The server's manifest could not be fetched (offline, HTTP error): the stored copy is used. */
  | 'offline'
  /** A newer version on the server failed to download or verify: the previously stored version is used. */
  | 'model-update-failed'
  /** The stored copy failed verification (corrupt storage): it was deleted and the model downloaded again. */
  | 'stored-copy-invalid';

export interface RecommenderWarning {
  code: WarningCode;
  message: string;
  /** `unknown-item`: the id that was skipped. */
  itemId?: string;
  /** The underlying error, when there is one (e.g. a BundleError for `model-update-failed`). */
  cause?: unknown;
}

export type WarningListener = (warning: RecommenderWarning) => void;

/** The event dispatched for every warning: `recommender.addEventListener('warning', (e) => e.warning)`. */
export class RecommenderWarningEvent extends Event {
  readonly warning: RecommenderWarning;
  constructor(warning: RecommenderWarning) {
    super('warning');
    this.warning = warning;
  }
}

export type EngineChoiceListener = (choice: EngineChoice) => void;

/** Dispatched when `recommender.engineChoice` changes (a background choice settles, a GPU is lost). */
export class EngineChoiceEvent extends Event {
  readonly choice: EngineChoice;
  constructor(choice: EngineChoice) {
    super('engine-choice');
    this.choice = choice;
  }
}

export interface RecommenderEventMap {
  warning: RecommenderWarningEvent;
  'engine-choice': EngineChoiceEvent;
}
