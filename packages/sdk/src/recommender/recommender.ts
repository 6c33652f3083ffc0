// The object a shop embeds: load a model (stored copy or download), keep the session, recommend.
import type { ModelBundle, ModelKind } from '../bundle/types.ts';
import { defaultChoiceStorage, type ChoiceStorage, type EngineChoice } from '../engine/engine-choice.ts';
import type { Engine } from '../engine/types.ts';
import {
  RecommenderDisposedError,
  describeValue,
  invalidOption,
  messageOf,
  rejectUnknownKeys,
} from '../errors.ts';
import {
  EngineChoiceEvent,
  RecommenderWarningEvent,
  type EngineChoiceListener,
  type RecommenderWarning,
  type WarningListener,
} from '../events.ts';
import { ClickSession, sessionStorageKey, type SessionPersistence } from '../session/click-session.ts';
import { loadModelShared, type LoadProgress } from '../storage/model-loader.ts';
import {
  indexedDbModelStore,
  probeStore,
  sharedMemoryModelStore,
  type ModelStore,
} from '../storage/model-store.ts';
import { resolveModelUrl } from '../storage/model-url.ts';
import {
  chooseEngineInBackground,
  defaultEngineFactories,
  probeAdapter,
  startEngine,
  type AdapterProbe,
  type Backend,
  type EngineFactories,
} from './engines.ts';

export interface RecommenderOptions {
  /** URL of the model bundle folder (or of its manifest.json), absolute or relative to the page. */
  model: string | URL;
  /** 'auto' (default): the CPU engine answers at once; WebGPU replaces it only on a hardware adapter where it
   *  measured faster (`engineChoice` says why). 'webgpu' / 'cpu' force an engine. */
  backend?: Backend;
  /** Download / verification progress in bytes. */
  onProgress?: (progress: LoadProgress) => void;
  /** Every warning, including those raised while loading (before `addEventListener` is possible). */
  onWarning?: WarningListener;
  /** 'indexeddb' (default): persist the model across page loads; 'memory': this page only. */
  storage?: 'indexeddb' | 'memory';
  /** Aborts loading (download, verification, engine start). */
  signal?: AbortSignal;
  /** A stored good version exists but the server's new version is corrupt: 'use-stored' (default) serves
   *  the stored version with a `model-update-failed` warning; 'throw' rejects with the codec's typed error. */
  onUpdateError?: 'use-stored' | 'throw';
  /** Download the server's version even if it failed verification in the last hour (a "Retry" button);
   *  without it such a version is skipped (stored version + `model-update-failed`, or the error). */
  force?: boolean;
  /** A session ends after this long without a click. Default 30 minutes. */
  sessionTimeoutMs?: number;
  /** Replaces the global fetch (tests, custom auth headers). */
  fetch?: typeof globalThis.fetch;
  /** Clock in ms for the session timeout (tests). Default Date.now. */
  now?: () => number;
}

const OPTION_NAMES = [
  'model',
  'backend',
  'onProgress',
  'onWarning',
  'storage',
  'signal',
  'onUpdateError',
  'force',
  'sessionTimeoutMs',
  'fetch',
  'now',
] as const;

export interface RecommendOptions {
  /** How many items (1 … numItems). Default 10. */
  k?: number;
  /** Leave out the items already clicked in this session. Default false (the model's own ranking). */
  excludeSeen?: boolean;
}

export interface Recommendation {
  /** The external item id (the bundle's vocabulary: a shop's SKU). */
  itemId: string;
  score: number;
}

export interface ModelInfo {
  /** Canonical folder URL: the key of the stored copy and of the session. */
  url: string;
  version: string;
  kind: ModelKind;
  numItems: number;
  /** Clicks the model reads: the session keeps the last `maxLen`. */
  maxLen: number;
  /** Bytes of the bundle's files. */
  bytes: number;
  metrics?: Record<string, number>;
  /** This page load read the model from the network or from the stored copy. */
  source: 'network' | 'storage';
  /** Where the model is kept: IndexedDB (survives reloads) or this page's memory only. */
  storedIn: 'indexeddb' | 'memory';
}

export interface Recommender extends EventTarget {
  /** The engine in use now: under 'auto' 'cpu' until WebGPU is ready and chosen; back to 'cpu' if the
   *  GPU device is lost. */
  readonly engine: Engine['name'];
  /** Which engine runs and why; changes dispatch an `engine-choice` event. */
  readonly engineChoice: EngineChoice;
  /** Resolves once the choice is final (at once unless 'auto' is still starting or measuring WebGPU). */
  readonly engineChosen: Promise<EngineChoice>;
  /** The session's clicks (external ids, oldest first), as the model reads them. */
  readonly session: readonly string[];
  readonly model: ModelInfo;
  /** Every warning so far, oldest first. */
  readonly warnings: readonly RecommenderWarning[];
  /** Records a click. Unknown ids are skipped with an `unknown-item` warning; returns whether it was recorded. */
  track(itemId: string | number): boolean;
  /** The top-k items for the current session; the popularity order when the session is empty. */
  recommend(options?: RecommendOptions): Promise<Recommendation[]>;
  /** Starts a new, empty session. */
  reset(): void;
  /** Releases the engine (GPU buffers). Every later call throws RecommenderDisposedError. */
  dispose(): void;
  /** Subscribes to warnings or engine-choice changes; returns the unsubscribe function. */
  on(type: 'warning', listener: WarningListener): () => void;
  on(type: 'engine-choice', listener: EngineChoiceListener): () => void;
  addEventListener(
    type: 'warning',
    listener: ((event: RecommenderWarningEvent) => void) | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: 'engine-choice',
    listener: ((event: EngineChoiceEvent) => void) | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener(
    type: 'warning',
    listener: ((event: RecommenderWarningEvent) => void) | null,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: 'engine-choice',
    listener: ((event: EngineChoiceEvent) => void) | null,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}

/** What tests replace: engines (to simulate GPUs), the model store, the session's persistence. */
export interface RecommenderDeps {
  engines: EngineFactories;
  /** The IndexedDB-backed store used for `storage: 'indexeddb'`. */
  store: ModelStore;
  memoryStore: ModelStore;
  sessionPersistence: SessionPersistence | null;
  /** Where 'auto' remembers its measured choice (default localStorage; null: measure on every load). */
  choiceStorage: ChoiceStorage | null;
  /** High-resolution clock in ms for the measurement (default performance.now). */
  clock: () => number;
}

let defaultIndexedDbStore: ModelStore | undefined;

const DEFAULT_K = 10;
/** Warnings kept on `recommender.warnings` (a page that tracks thousands of unknown ids must not leak). */
const MAX_KEPT_WARNINGS = 200;

function checkOptions(options: RecommenderOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `createRecommender(options): options must be an object, got ${describeValue(options)}`,
    );
  }
  rejectUnknownKeys('createRecommender(options)', options, OPTION_NAMES);
  const oneOf = (name: keyof RecommenderOptions, values: readonly string[]) => {
    const value = options[name];
    if (value !== undefined && !values.includes(value as string)) {
      throw invalidOption(`options.${name}`, values.map((v) => `'${v}'`).join(' | '), value);
    }
  };
  const fn = (name: keyof RecommenderOptions) => {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw invalidOption(`options.${name}`, 'a function', options[name]);
    }
  };
  oneOf('backend', ['auto', 'webgpu', 'cpu']);
  oneOf('storage', ['indexeddb', 'memory']);
  oneOf('onUpdateError', ['use-stored', 'throw']);
  for (const name of ['onProgress', 'onWarning', 'fetch', 'now'] as const) fn(name);
  if (options.force !== undefined && typeof options.force !== 'boolean')
    throw invalidOption('options.force', 'a boolean', options.force);
  const timeout = options.sessionTimeoutMs;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && !Number.isNaN(timeout))) {
    throw invalidOption('options.sessionTimeoutMs', 'a positive number of milliseconds', timeout);
  }
  const signal = options.signal;
  if (signal !== undefined && !(typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal)) {
    throw invalidOption('options.signal', 'an AbortSignal', signal);
  }
}

/**
 * Loads a model and returns a ready recommender: the stored copy when the server still has the same
 * version (no download), else download → verify every hash → store → delete older versions.
 */
export async function createRecommender(
  options: RecommenderOptions,
  deps: Partial<RecommenderDeps> = {},
): Promise<Recommender> {
  checkOptions(options);
  const url = resolveModelUrl(options.model);
  const fetchFn = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (!fetchFn) throw new TypeError('createRecommender: no fetch() in this environment; pass options.fetch');

  // Warnings raised before the caller holds the recommender are replayed onto it.
  const early: RecommenderWarning[] = [];
  const sink: { target?: RecommenderImpl } = {};
  const warn = (warning: RecommenderWarning) => {
    if (sink.target) sink.target.emitWarning(warning);
    else {
      early.push(warning);
      options.onWarning?.(warning);
    }
  };

  const backend = options.backend ?? 'auto';
  const engines = deps.engines ?? defaultEngineFactories;
  // The adapter request (and the WebGPU chunk's fetch) runs while the model loads, off the critical path.
  const probe = backend === 'auto' && engines.hasWebGpu() ? probeAdapter(engines) : undefined;
  const store = await chooseStore(options.storage ?? 'indexeddb', deps, warn);
  options.signal?.throwIfAborted();
  const loaded = await loadModelShared({
    url,
    store,
    fetch: fetchFn,
    onProgress: options.onProgress,
    warn,
    signal: options.signal,
    onUpdateError: options.onUpdateError,
    force: options.force,
  });
  options.signal?.throwIfAborted();

  let onDeviceLost = (_info: unknown) => {};
  const started = await startEngine(
    backend,
    loaded.bundle,
    engines,
    { onDeviceLost: (info) => onDeviceLost(info) },
    warn,
  );
  const engine = started.engine;
  if (options.signal?.aborted) {
    engine.dispose();
    options.signal.throwIfAborted();
  }
  const manifest = loaded.bundle.manifest;
  const info: ModelInfo = {
    url: url.baseUrl,
    version: manifest.version,
    kind: manifest.kind,
    numItems: manifest.hyper.numItems,
    maxLen: manifest.hyper.maxLen,
    bytes: manifest.files.reduce((sum, f) => sum + f.byteLength, 0),
    metrics: manifest.metrics,
    source: loaded.source,
    storedIn: loaded.storedIn,
  };
  const session = new ClickSession({
    key: sessionStorageKey(url.baseUrl),
    maxLen: manifest.hyper.maxLen,
    timeoutMs: options.sessionTimeoutMs,
    now: options.now,
    persistence: deps.sessionPersistence,
    isKnown: (id) => loaded.bundle.itemIndex(id) >= 0,
    // A model update that removed items: the restored session keeps the rest, and says which it skipped.
    onDropped: (ids) => {
      for (const itemId of new Set(ids))
        warn({
          code: 'unknown-item',
          message: `restored session: model version ${manifest.version} does not know ${JSON.stringify(itemId)}; its clicks were skipped`,
          itemId,
        });
    },
  });
  const recommender = new RecommenderImpl(
    loaded.bundle,
    engine,
    started.choice,
    engines,
    session,
    info,
    options.onWarning,
    early,
  );
  sink.target = recommender;
  onDeviceLost = (lostInfo) => recommender.deviceLost(engine, lostInfo);
  const probed = probe === undefined ? undefined : await probe;
  if (started.pending && probed !== undefined) {
    // After the caller's first synchronous calls: a recommend() made right away is queued before any
    // calibration call, and the GPU's start-up work begins only once this page has its recommender.
    const choiceStorage = deps.choiceStorage === undefined ? defaultChoiceStorage() : deps.choiceStorage;
    const clock = deps.clock ?? (() => performance.now());
    setTimeout(() => void recommender.chooseInBackground(probed, choiceStorage, clock), 0);
  } else recommender.settle(started.choice);
  return recommender;
}

async function chooseStore(
  preference: 'indexeddb' | 'memory',
  deps: Partial<RecommenderDeps>,
  warn: (w: RecommenderWarning) => void,
): Promise<ModelStore> {
  const memory = deps.memoryStore ?? sharedMemoryModelStore();
  if (preference === 'memory') return memory;
  const store = deps.store ?? (defaultIndexedDbStore ??= indexedDbModelStore());
  const failure = await probeStore(store);
  if (failure === null) return store;
  warn({
    code: 'storage-fallback',
    message: `IndexedDB is unavailable (${messageOf(failure)}); the model is kept in memory for this page only`,
    cause: failure,
  });
  return memory;
}

// Declaration merging gives the class the typed 'warning' listener overloads of the interface.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
interface RecommenderImpl {
  addEventListener: Recommender['addEventListener'];
  removeEventListener: Recommender['removeEventListener'];
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
class RecommenderImpl extends EventTarget implements Recommender {
  readonly model: ModelInfo;
  readonly #bundle: ModelBundle;
  readonly #engines: EngineFactories;
  readonly #session: ClickSession;
  readonly #onWarning?: WarningListener;
  readonly #warnings: RecommenderWarning[];
  #engine: Engine;
  #choice: EngineChoice;
  #resolveChosen!: (choice: EngineChoice) => void;
  readonly engineChosen: Promise<EngineChoice>;
  #disposed = false;
  /** recommend() calls run one at a time: an engine switch never happens under a running call. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    bundle: ModelBundle,
    engine: Engine,
    choice: EngineChoice,
    engines: EngineFactories,
    session: ClickSession,
    model: ModelInfo,
    onWarning: WarningListener | undefined,
    early: RecommenderWarning[],
  ) {
    super();
    this.#bundle = bundle;
    this.#engine = engine;
    this.#choice = choice;
    this.engineChosen = new Promise((resolve) => (this.#resolveChosen = resolve));
    this.#engines = engines;
    this.#session = session;
    this.model = model;
    this.#onWarning = onWarning;
    this.#warnings = early.slice(-MAX_KEPT_WARNINGS);
  }

  get engine(): Engine['name'] {
    return this.#engine.name;
  }

  get engineChoice(): EngineChoice {
    return { ...this.#choice };
  }

  get session(): readonly string[] {
    return this.#session.items;
  }

  get warnings(): readonly RecommenderWarning[] {
    return this.#warnings.slice();
  }

  track(itemId: string | number): boolean {
    this.#live('track');
    if (typeof itemId === 'number' && Number.isFinite(itemId)) itemId = String(itemId);
    if (typeof itemId !== 'string') {
      throw new TypeError(
        `track(itemId): itemId must be a string (or a number), got ${describeValue(itemId)}`,
      );
    }
    if (this.#bundle.itemIndex(itemId) < 0) {
      this.emitWarning({
        code: 'unknown-item',
        message: `track(${JSON.stringify(itemId)}): the model does not know this item; the click was skipped`,
        itemId,
      });
      return false;
    }
    this.#session.add(itemId);
    return true;
  }

  async recommend(options: RecommendOptions = {}): Promise<Recommendation[]> {
    this.#live('recommend');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `recommend(options): options must be an object { k, excludeSeen }, got ${describeValue(options)}`,
      );
    }
    rejectUnknownKeys('recommend(options)', options, ['k', 'excludeSeen']);
    const k = options.k ?? DEFAULT_K;
    const numItems = this.model.numItems;
    if (typeof k !== 'number' || Number.isNaN(k)) throw invalidOption('recommend(options): k', 'a number', k);
    if (!Number.isInteger(k) || k < 1 || k > numItems) {
      throw new RangeError(
        `recommend(options): k must be an integer from 1 to numItems (${numItems}), got ${k}`,
      );
    }
    const excludeSeen = options.excludeSeen ?? false;
    if (typeof excludeSeen !== 'boolean') {
      throw invalidOption('recommend(options): excludeSeen', 'a boolean', excludeSeen);
    }
    const indices = this.#session.items.map((id) => this.#bundle.itemIndex(id)).filter((i) => i >= 0);
    const exclude = excludeSeen ? new Set(indices) : undefined;
    const scored = await this.exclusive(() => this.#score(indices, k, exclude));
    return scored.map(({ index, score }) => ({ itemId: this.#bundle.itemIds(index), score }));
  }

  reset(): void {
    this.#live('reset');
    this.#session.clear();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#engine.dispose();
    // A pending choice never settles now; its GPU engine is disposed when it arrives.
    this.#resolveChosen(this.engineChoice);
  }

  on(type: 'warning', listener: WarningListener): () => void;
  on(type: 'engine-choice', listener: EngineChoiceListener): () => void;
  on(type: 'warning' | 'engine-choice', listener: WarningListener | EngineChoiceListener): () => void {
    if (type !== 'warning' && type !== 'engine-choice') {
      throw invalidOption('on(type)', "'warning' | 'engine-choice'", type);
    }
    if (typeof listener !== 'function')
      throw invalidOption('on(type, listener): listener', 'a function', listener);
    const handler =
      type === 'warning'
        ? (event: Event) => (listener as WarningListener)((event as RecommenderWarningEvent).warning)
        : (event: Event) => (listener as EngineChoiceListener)((event as EngineChoiceEvent).choice);
    this.addEventListener(type, handler);
    return () => this.removeEventListener(type, handler);
  }

  /** Runs `fn` after every recommend() queued so far and before any later one. */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** A final choice that keeps the engine already answering. */
  settle(choice: EngineChoice): void {
    if (this.#disposed) return;
    this.#setChoice(choice);
    this.#resolveChosen(this.engineChoice);
  }

  chooseInBackground(probe: AdapterProbe, storage: ChoiceStorage | null, clock: () => number): Promise<void> {
    const cpu = this.#engine;
    return chooseEngineInBackground(
      {
        bundle: this.#bundle,
        factories: this.#engines,
        cpu,
        storage,
        clock,
        warn: (w) => {
          if (!this.#disposed) this.emitWarning(w);
        },
        disposed: () => this.#disposed,
        exclusive: (fn) => this.exclusive(fn),
        // Called inside exclusive(): no recommend() is running on the engine being replaced.
        swap: (engine, choice) => {
          this.#engine = engine;
          cpu.dispose();
          this.settle(choice);
        },
        settle: (choice) => this.settle(choice),
        deviceLost: (engine, info) => this.deviceLost(engine, info),
      },
      probe,
    );
  }

  #setChoice(choice: EngineChoice): void {
    const changed = JSON.stringify(choice) !== JSON.stringify(this.#choice);
    this.#choice = { ...choice };
    if (changed) this.dispatchEvent(new EngineChoiceEvent(this.engineChoice));
  }

  emitWarning(warning: RecommenderWarning): void {
    this.#warnings.push(warning);
    if (this.#warnings.length > MAX_KEPT_WARNINGS) this.#warnings.shift();
    this.#onWarning?.(warning);
    this.dispatchEvent(new RecommenderWarningEvent(warning));
  }

  /** The WebGPU engine reported its device lost: the CPU engine takes over; the session is untouched. */
  deviceLost(engine: Engine, info: unknown): void {
    if (this.#disposed || engine !== this.#engine) return;
    this.#switchToCpu(
      'device-lost',
      `the GPU device was lost (${describeLoss(info)}); switched to the CPU engine`,
      info,
    );
  }

  async #score(session: number[], k: number, exclude?: ReadonlySet<number>) {
    const engine = this.#engine;
    try {
      return await engine.recommend(session, { k, exclude });
    } catch (error) {
      // A CPU failure is a bug to surface; a GPU failure has a working fallback.
      if (engine.name === 'cpu' || this.#disposed) throw error;
      if (engine === this.#engine) {
        // The call can fail on a lost device before `device.lost` settles: report it as what it is.
        const lost = (error as { code?: unknown } | null)?.code === 'device-lost';
        this.#switchToCpu(
          lost ? 'device-lost' : 'engine-error',
          `the ${engine.name} engine ${lost ? 'lost its GPU device' : 'failed'} (${messageOf(error)}); switched to the CPU engine`,
          error,
        );
      }
      return this.#engine.recommend(session, { k, exclude });
    }
  }

  #switchToCpu(code: 'device-lost' | 'engine-error', message: string, cause: unknown): void {
    const old = this.#engine;
    this.#engine = this.#engines.cpu(this.#bundle);
    this.#setChoice({ engine: 'cpu', reason: code, adapter: this.#choice.adapter });
    try {
      old.dispose();
    } catch {
      // A lost device can fail to release its buffers; they are gone with it anyway.
    }
    this.emitWarning({ code, message, cause });
  }

  #live(method: string): void {
    if (this.#disposed) throw new RecommenderDisposedError(method);
  }
}

function describeLoss(info: unknown): string {
  const record = info as { reason?: unknown; message?: unknown } | null;
  const parts = [record?.reason, record?.message].filter((x) => typeof x === 'string' && x !== '');
  return parts.length > 0 ? parts.join(': ') : 'no details';
}
