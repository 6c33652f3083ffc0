// What every training report shares: the machine it ran on, the bundle's headline metrics, and the write.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { wasmThreadsCount } from '../train/wasm-threads.ts';

/** The report's `machine` block. */
export function machineInfo(backend: string) {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryBytes: totalmem(),
    node: process.version,
    tfjs: tf.version_core,
    backend,
    /** XNNPACK's pool on wasm (train/wasm-threads.ts); null on other backends. */
    threads: wasmThreadsCount(),
  };
}

/** Two decimals, as the manifests' headline metrics carry them. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The manifest's headline metrics (P@10, NDCG@10, MRR@10) from a metrics object. */
export function headlineMetrics(m: Record<string, number>): Record<string, number> {
  return { 'P@10': round2(m['P@10']!), 'NDCG@10': round2(m['NDCG@10']!), 'MRR@10': round2(m['MRR@10']!) };
}

/** Writes the report as pretty JSON (creating its folder). */
export function writeReport(path: string, report: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
}

/** `pnpm train …` as typed, for reports and manifests. */
export function commandLine(argv: readonly string[] = process.argv): string {
  return `pnpm train ${argv.slice(2).join(' ')}`;
}
