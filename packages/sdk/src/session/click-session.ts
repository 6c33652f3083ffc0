// The current browsing session: the clicks the model reads, persisted so that a page reload (same tab)
// keeps them, forgotten after a period of inactivity, capped at what the model reads (its maxLen).
// Ids are stored as external ids, not internal indices: they stay meaningful across model versions.

export const DEFAULT_SESSION_TIMEOUT_MS = 30 * 60 * 1000;

/** The subset of the Web Storage API the session needs (sessionStorage in a browser). */
export type SessionPersistence = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface ClickSessionOptions {
  /** Storage key; one session per model URL. */
  key: string;
  /** Keep the last `maxLen` clicks. */
  maxLen: number;
  /** Clicks older than this (since the last click) start a new session. */
  timeoutMs?: number;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
  /** Where to persist; null keeps the session in memory only. Default: sessionStorage when usable. */
  persistence?: SessionPersistence | null;
  /** Drops restored ids the current model does not know (e.g. after a model update). */
  isKnown?: (itemId: string) => boolean;
  /** Told which restored ids isKnown dropped, oldest first (a refreshed model removed those items). */
  onDropped?: (itemIds: string[]) => void;
}

interface PersistedSession {
  items: string[];
  lastActivity: number;
}

export function sessionStorageKey(modelUrl: string): string {
  return `session-rec:session:${modelUrl}`;
}

/** sessionStorage, or null where it is missing or throws on access (sandboxed iframes, some privacy modes). */
export function defaultSessionPersistence(): SessionPersistence | null {
  try {
    const storage = globalThis.sessionStorage;
    if (!storage) return null;
    const probe = '__session-rec-probe__';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

export class ClickSession {
  readonly #key: string;
  readonly #maxLen: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #persistence: SessionPersistence | null;
  #items: string[] = [];
  #lastActivity = 0;

  constructor(options: ClickSessionOptions) {
    this.#key = options.key;
    this.#maxLen = options.maxLen;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
    this.#persistence = options.persistence === undefined ? defaultSessionPersistence() : options.persistence;
    const restored = this.#restore();
    if (restored) {
      const isKnown = options.isKnown ?? (() => true);
      const dropped = restored.items.filter((id) => !isKnown(id));
      this.#items = restored.items.filter(isKnown).slice(-this.#maxLen);
      if (dropped.length > 0) options.onDropped?.(dropped);
      this.#lastActivity = restored.lastActivity;
    }
  }

  /** The clicks of the current session, oldest first (empty once it expired). */
  get items(): readonly string[] {
    this.#expireIfIdle();
    return this.#items.slice();
  }

  add(itemId: string): void {
    this.#expireIfIdle();
    this.#items.push(itemId);
    if (this.#items.length > this.#maxLen) this.#items.splice(0, this.#items.length - this.#maxLen);
    this.#lastActivity = this.#now();
    this.#persist();
  }

  clear(): void {
    this.#items = [];
    this.#lastActivity = 0;
    try {
      this.#persistence?.removeItem(this.#key);
    } catch {
      // Persistence is best-effort: the in-memory session is the source of truth for this page.
    }
  }

  #expireIfIdle(): void {
    if (this.#items.length > 0 && this.#now() - this.#lastActivity > this.#timeoutMs) this.clear();
  }

  #restore(): PersistedSession | null {
    try {
      const raw = this.#persistence?.getItem(this.#key);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as Partial<PersistedSession>;
      if (!Array.isArray(parsed.items) || typeof parsed.lastActivity !== 'number') return null;
      return {
        items: parsed.items.filter((x): x is string => typeof x === 'string'),
        lastActivity: parsed.lastActivity,
      };
    } catch {
      return null;
    }
  }

  #persist(): void {
    try {
      const value: PersistedSession = { items: this.#items, lastActivity: this.#lastActivity };
      this.#persistence?.setItem(this.#key, JSON.stringify(value));
    } catch {
      // A full or blocked sessionStorage only costs persistence across reloads.
    }
  }
}
