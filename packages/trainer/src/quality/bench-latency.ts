// recommend() CPU p50 of a bundle from the benchmark's last run (bench/results/latest.json), when that
// run measured this very bundle: same folder name and same download bytes (a rebuilt bundle is stale).
import { existsSync, readFileSync } from 'node:fs';

/** The session length whose p50 the table shows (the bench measures 1, 5, 20, 50 clicks). */
export const LATENCY_CLICKS = 5;

interface BenchRow {
  bundleId?: string;
  engine?: string;
  bundleBytes?: number;
  byLength?: { length: number; p50Ms: number }[];
}

export type LatencyLookup = (name: string, bytes: number) => number | undefined;

export function benchLatency(file: string): LatencyLookup {
  if (!existsSync(file)) return () => undefined;
  let rows: BenchRow[] = [];
  try {
    rows = ((JSON.parse(readFileSync(file, 'utf8')) as { rows?: BenchRow[] }).rows ?? []).filter(
      (r) => r.engine === 'cpu',
    );
  } catch {
    return () => undefined; // an unreadable bench file leaves the column blank, it does not stop the table
  }
  return (name, bytes) => {
    const row = rows.find((r) => r.bundleId === name && r.bundleBytes === bytes);
    return row?.byLength?.find((l) => l.length === LATENCY_CLICKS)?.p50Ms;
  };
}
