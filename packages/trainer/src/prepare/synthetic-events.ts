// A synthetic shop click log for tests and for timing `pnpm train prepare`: users browse in sessions
// (clicks seconds to minutes apart, sessions hours to days apart); items are SKU strings whose popularity
// follows a Zipf curve, and a click often follows the previous one's neighbour SKU (something to learn).
// Written as CSV: user_id, sku, ts (epoch seconds or ISO 8601). Deterministic for a seed.
import { closeSync, openSync, writeSync } from 'node:fs';
import { seededRandom } from '../data/prng.ts';

export interface SyntheticEventsOptions {
  events: number;
  users: number;
  items: number;
  days: number;
  seed?: number;
  /** Zipf exponent of item popularity (default 1). */
  zipf?: number;
  time?: 'epoch-s' | 'iso';
  /** Log start, epoch ms (default 2024-05-01T00:00:00Z). */
  startMs?: number;
}

export const skuOf = (rank: number) => `SKU-${String(rank).padStart(6, '0')}`;

/** Writes the log to `path`; returns how many sessions it holds. */
export function writeSyntheticEvents(path: string, opts: SyntheticEventsOptions): number {
  const rand = seededRandom(opts.seed ?? 1);
  const cdf = new Float64Array(opts.items);
  let total = 0;
  for (let r = 0; r < opts.items; r++) cdf[r] = total += 1 / (r + 1) ** (opts.zipf ?? 1);
  const zipfItem = () => {
    const u = rand() * total;
    let lo = 0;
    let hi = opts.items - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const start = opts.startMs ?? Date.UTC(2024, 4, 1);
  const span = opts.days * 86_400_000;
  const stamp = (ms: number) =>
    opts.time === 'iso' ? new Date(ms).toISOString() : String(Math.floor(ms / 1000));
  const fd = openSync(path, 'w');
  let buffer = 'user_id,sku,ts\n';
  let written = 0;
  let sessions = 0;
  try {
    for (let u = 0; u < opts.users && written < opts.events; u++) {
      // Each user gets an equal share of what is left, so the log ends at exactly `events` rows.
      let budget = Math.ceil((opts.events - written) / (opts.users - u));
      while (budget > 0) {
        let t = start + rand() * span;
        let item = zipfItem();
        const length = Math.min(budget, 1 + Math.floor(-Math.log(1 - rand()) * 4));
        for (let k = 0; k < length; k++) {
          buffer += `u${u},${skuOf(item)},${stamp(t)}\n`;
          t += 5_000 + rand() * 180_000;
          const r = rand();
          item = r < 0.5 ? (item + 1 + Math.floor(rand() * 3)) % opts.items : r < 0.6 ? item : zipfItem();
        }
        budget -= length;
        written += length;
        sessions++;
        if (buffer.length > 1 << 20) {
          writeSync(fd, buffer);
          buffer = '';
        }
      }
    }
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
  return sessions;
}
