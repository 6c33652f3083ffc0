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
