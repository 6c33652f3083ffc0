// Resumable checkpoints: model weights + Adam state + the loop's position, written atomically
// (tmp + rename) so an interrupted write never leaves a half checkpoint behind.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

interface StoredEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

function writeArrays(path: string, arrays: NamedArray[]): StoredEntry[] {
  const entries: StoredEntry[] = [];
  let offset = 0;
  for (const a of arrays) {
    entries.push({ name: a.name, shape: a.shape, offset, length: a.data.length });
    offset += a.data.length;
  }
  const all = new Float32Array(offset);
  for (const [i, a] of arrays.entries()) all.set(a.data, entries[i]!.offset);
  writeFileSync(path + '.tmp', new Uint8Array(all.buffer));
  renameSync(path + '.tmp', path);
  return entries;
}

function readArrays(path: string, entries: StoredEntry[]): NamedArray[] {
  const bytes = readFileSync(path);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return entries.map((e) => ({
    name: e.name,
    shape: e.shape,
    data: all.slice(e.offset, e.offset + e.length),
  }));
}

export interface CheckpointState<S> {
  /** Anything JSON: loop position, history, config. */
  state: S;
  weights: NamedArray[];
  optimizer: NamedArray[];
  /** Weights of the best validation epoch so far (what gets exported). */
  best: NamedArray[] | null;
}

const STATE = 'state.json';

export function saveCheckpoint<S>(dir: string, ckpt: CheckpointState<S>): void {
  mkdirSync(dir, { recursive: true });
  const weights = writeArrays(join(dir, 'weights.bin'), ckpt.weights);
  const optimizer = writeArrays(join(dir, 'optimizer.bin'), ckpt.optimizer);
  const best = ckpt.best ? writeArrays(join(dir, 'best.bin'), ckpt.best) : null;
  const tmp = join(dir, STATE + '.tmp');
  writeFileSync(tmp, JSON.stringify({ state: ckpt.state, weights, optimizer, best }, null, 1));
  renameSync(tmp, join(dir, STATE));
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, STATE));
}

export function loadCheckpoint<S>(dir: string): CheckpointState<S> {
  const meta = JSON.parse(readFileSync(join(dir, STATE), 'utf8')) as {
    state: S;
    weights: StoredEntry[];
    optimizer: StoredEntry[];
    best: StoredEntry[] | null;
  };
  return {
    state: meta.state,
    weights: readArrays(join(dir, 'weights.bin'), meta.weights),
    optimizer: readArrays(join(dir, 'optimizer.bin'), meta.optimizer),
    best: meta.best ? readArrays(join(dir, 'best.bin'), meta.best) : null,
  };
}
