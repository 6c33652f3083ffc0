// Minimal reader for the dataset folder format (datasets/README.md), used until the shared reader
// in src/data/ lands. Item ids 1..V become internal indices 0..V-1.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface SessionData {
  name: string;
  numItems: number;
  train: Int32Array[];
  test: { prefix: Int32Array; label: number }[];
}

function parseIds(text: string, where: string): Int32Array {
  const parts = text.trim().split(' ');
  const out = new Int32Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const v = Number(parts[i]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`${where}: bad item id "${parts[i]}"`);
    out[i] = v - 1;
  }
  return out;
}

export function readSessionData(dir: string): SessionData {
  const train = readFileSync(join(dir, 'train.txt'), 'utf8')
    .split('\n')
    .map((l, i) => [l, i] as const)
    .filter(([l]) => l.trim() !== '')
    .map(([l, i]) => parseIds(l, `${dir}/train.txt:${i + 1}`));
  const test = readFileSync(join(dir, 'test.txt'), 'utf8')
    .split('\n')
    .map((l, i) => [l, i] as const)
    .filter(([l]) => l.trim() !== '')
    .map(([l, i]) => {
      const [prefix, label] = l.split('\t');
      if (prefix === undefined || label === undefined)
        throw new Error(`${dir}/test.txt:${i + 1}: expected "prefix<TAB>label"`);
      return {
        prefix: parseIds(prefix, `${dir}/test.txt:${i + 1}`),
        label: parseIds(label, `${dir}/test.txt:${i + 1}`)[0]!,
      };
    });
  let numItems = 0;
  const metaPath = join(dir, 'dataset.json');
  const meta = existsSync(metaPath)
    ? (JSON.parse(readFileSync(metaPath, 'utf8')) as { numItems?: number; name?: string })
    : {};
  for (const s of train) for (const v of s) numItems = Math.max(numItems, v + 1);
  for (const t of test) numItems = Math.max(numItems, t.label + 1, ...t.prefix.map((v) => v + 1));
  if (meta.numItems !== undefined) numItems = Math.max(numItems, meta.numItems);
  return { name: meta.name ?? dir.split('/').filter(Boolean).pop()!, numItems, train, test };
}

/** mulberry32: small, fast, seedable; good enough for shuffles and splits. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Positions in `train.txt` (time order) of the training and validation sessions of splitSessions, each
 * ascending: what a time-aware step (the popularity prior's recency) needs beside the sessions.
 */
export function splitSessionPositions(
  count: number,
  fraction: number,
  seed: number,
): { train: number[]; valid: number[] } {
  const order = shuffleInPlace(
    Array.from({ length: count }, (_, i) => i),
    seededRandom(seed),
  );
  const nValid = Math.round(count * fraction);
  const isValid = new Uint8Array(count);
  for (let i = 0; i < nValid; i++) isValid[order[i]!] = 1;
  const train: number[] = [];
  const valid: number[] = [];
  for (let i = 0; i < count; i++) (isValid[i] ? valid : train).push(i);
  return { train, valid };
}

/** A random `fraction` of the training sessions (fixed seed) held out for validation. */
export function splitSessions(
  sessions: Int32Array[],
  fraction: number,
  seed: number,
): { train: Int32Array[]; valid: Int32Array[] } {
  const { train, valid } = splitSessionPositions(sessions.length, fraction, seed);
  return { train: train.map((i) => sessions[i]!), valid: valid.map((i) => sessions[i]!) };
}
