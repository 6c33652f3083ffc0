// Where model bundles persist: IndexedDB through idb-keyval (own database, so a shop's own idb-keyval use
// never collides), or memory when IndexedDB is unavailable. Every write resolves only once its transaction
// committed (idb-keyval resolves on the transaction's `complete`), and callers await it.
import { clear, createStore, delMany, get, keys, setMany, type UseStore } from 'idb-keyval';

export const MODEL_DB_NAME = 'session-rec';
export const MODEL_STORE_NAME = 'models';

export interface ModelStore {
  readonly kind: 'indexeddb' | 'memory';
  get<T>(key: string): Promise<T | undefined>;
  /** Writes all entries in one transaction: all or none. */
  setMany(entries: [string, unknown][]): Promise<void>;
  delMany(keys: string[]): Promise<void>;
  keys(): Promise<string[]>;
  clear(): Promise<void>;
}

export function indexedDbModelStore(dbName = MODEL_DB_NAME, storeName = MODEL_STORE_NAME): ModelStore {
  let store: UseStore | undefined;
  // createStore touches `indexedDB` only on first use; a missing global then throws synchronously
  // (ReferenceError), which `run` turns into a rejection like every other IndexedDB failure.
  const run = async <T>(op: (s: UseStore) => Promise<T>): Promise<T> =>
    op((store ??= createStore(dbName, storeName)));
  return {
    kind: 'indexeddb',
    get: (key) => run((s) => get(key, s)),
    setMany: (entries) => run((s) => setMany(entries, s)),
    delMany: (list) => run((s) => delMany(list, s)),
    keys: () => run((s) => keys<IDBValidKey>(s)).then((list) => list.map(String)),
    clear: () => run((s) => clear(s)),
  };
}

export function memoryModelStore(): ModelStore {
  const map = new Map<string, unknown>();
  return {
    kind: 'memory',
    get: async <T>(key: string) => map.get(key) as T | undefined,
    setMany: async (entries) => {
      for (const [key, value] of entries) map.set(key, value);
    },
    delMany: async (list) => {
      for (const key of list) map.delete(key);
    },
    keys: async () => [...map.keys()],
    clear: async () => map.clear(),
  };
}

/** One memory store per page, so that a second recommender in the same page reuses a memory-held model. */
let pageMemoryStore: ModelStore | undefined;
export function sharedMemoryModelStore(): ModelStore {
  return (pageMemoryStore ??= memoryModelStore());
}

/** Why IndexedDB cannot be used, or null when a read works. */
export async function probeStore(store: ModelStore): Promise<unknown | null> {
  try {
    await store.get('__probe__');
    return null;
  } catch (error) {
    return error ?? new Error('IndexedDB failed without an error');
  }
}

/** True for the errors a full disk or exhausted origin quota produce in browsers. */
export function isQuotaError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}
