// Test fixture: a tiny dataset folder (train.txt, test.txt, dataset.json) whose clicks follow a steep
// popularity curve (item r drawn ∝ 1/r²) with some repeats — enough for a prior, a head or MGQE's
// head/tail split to have something to find. Deterministic for a seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@session-rec/sdk/testing';

export function writeZipfDataset(dir: string, numItems: number, seed = 21): void {
  mkdirSync(dir, { recursive: true });
  const rand = seededRandom(seed);
  const weights = Array.from({ length: numItems }, (_, r) => 1 / (r + 1) ** 2);
  const total = weights.reduce((a, b) => a + b);
  const item = () => {
    let u = rand() * total;
    for (let r = 0; r < numItems; r++) if ((u -= weights[r]!) <= 0) return r + 1;
    return numItems;
  };
  const session = () => {
    const s = [item()];
    for (let t = 1; t < 2 + Math.floor(rand() * 6); t++) s.push(rand() < 0.3 ? s[0]! : item());
    return s;
  };
  const train = Array.from({ length: 600 }, session);
  writeFileSync(join(dir, 'train.txt'), train.map((s) => s.join(' ')).join('\n') + '\n');
  const test = Array.from({ length: 120 }, () => {
    const s = session();
    return `${s.slice(0, -1).join(' ')}\t${s[s.length - 1]}`;
  }).filter((line) => !line.startsWith('\t'));
  writeFileSync(join(dir, 'test.txt'), test.join('\n') + '\n');
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ name: 'zipf', numItems }));
}
