import { describe, expect, it } from 'vitest';
import { ClickSession, DEFAULT_SESSION_TIMEOUT_MS, type SessionPersistence } from './click-session.ts';

/** sessionStorage stand-in: survives "reloads" (new ClickSession objects) like a tab's sessionStorage. */
function tabStorage(): SessionPersistence & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('ClickSession', () => {
  it('keeps clicks in order and survives a reload of the same tab', () => {
    const storage = tabStorage();
    const c = clock();
    const s = new ClickSession({ key: 'k', maxLen: 50, persistence: storage, now: c.now });
    for (const id of ['a', 'b', 'c']) s.add(id);
    const reloaded = new ClickSession({ key: 'k', maxLen: 50, persistence: storage, now: c.now });
    expect(reloaded.items).toEqual(['a', 'b', 'c']);
    // Another model (another key) has its own session.
    expect(new ClickSession({ key: 'other', maxLen: 50, persistence: storage, now: c.now }).items).toEqual(
      [],
    );
  });

  it('caps the session at maxLen, keeping the most recent clicks', () => {
    const s = new ClickSession({ key: 'k', maxLen: 50, persistence: null });
    const ids = Array.from({ length: 73 }, (_, i) => `item-${i}`);
    ids.forEach((id) => s.add(id));
    expect(s.items).toEqual(ids.slice(-50));
  });

  it('expires after 30 minutes without a click, and a click within the window keeps it alive', () => {
    const storage = tabStorage();
    const c = clock();
    const s = new ClickSession({ key: 'k', maxLen: 50, persistence: storage, now: c.now });
    s.add('a');
    c.t += DEFAULT_SESSION_TIMEOUT_MS - 1000;
    s.add('b'); // activity resets the idle timer
    c.t += DEFAULT_SESSION_TIMEOUT_MS - 1000;
    expect(s.items).toEqual(['a', 'b']);
    c.t += 2000;
    expect(s.items).toEqual([]);
    expect(storage.data.size).toBe(0);
    s.add('c');
    expect(s.items).toEqual(['c']);
  });

  it('a reload after the timeout starts empty', () => {
    const storage = tabStorage();
    const c = clock();
    new ClickSession({ key: 'k', maxLen: 50, persistence: storage, now: c.now }).add('a');
    c.t += DEFAULT_SESSION_TIMEOUT_MS + 1;
    expect(new ClickSession({ key: 'k', maxLen: 50, persistence: storage, now: c.now }).items).toEqual([]);
  });

  it('honours a custom timeout', () => {
    const c = clock();
    const s = new ClickSession({ key: 'k', maxLen: 5, persistence: null, now: c.now, timeoutMs: 10 });
    s.add('a');
    c.t += 11;
    expect(s.items).toEqual([]);
  });

  it('drops restored ids the model does not know, and a restored session longer than maxLen', () => {
    const storage = tabStorage();
    const c = clock();
    const s = new ClickSession({ key: 'k', maxLen: 10, persistence: storage, now: c.now });
    ['1', 'gone', '2', '3'].forEach((id) => s.add(id));
    const r = new ClickSession({
      key: 'k',
      maxLen: 2,
      persistence: storage,
      now: c.now,
      isKnown: (id) => id !== 'gone',
    });
    expect(r.items).toEqual(['2', '3']);
  });

  it('ignores corrupt persisted data and a throwing storage', () => {
    const storage = tabStorage();
    storage.setItem('k', '{not json');
    expect(new ClickSession({ key: 'k', maxLen: 5, persistence: storage }).items).toEqual([]);
    const throwing: SessionPersistence = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
    };
    const s = new ClickSession({ key: 'k', maxLen: 5, persistence: throwing });
    s.add('a');
    expect(s.items).toEqual(['a']);
    s.clear();
    expect(s.items).toEqual([]);
  });

  it('reset clears the persisted copy too', () => {
    const storage = tabStorage();
    const s = new ClickSession({ key: 'k', maxLen: 5, persistence: storage });
    s.add('a');
    s.clear();
    expect(new ClickSession({ key: 'k', maxLen: 5, persistence: storage }).items).toEqual([]);
  });
});
