// tfjs-wasm's multi-threaded SIMD build in Node. tfjs ships it but turns it off in Node
// (WASM_HAS_MULTITHREAD_SUPPORT is false there, tensorflow/tfjs#3830): its loader hands Emscripten's pthread
// workers a blob: URL, which Node's worker_threads cannot start. Here the same build is loaded the way
// Emscripten expects in Node: the worker script as a file, the glue script by path. XNNPACK's matrix
// products and most element-wise kernels then run on a pthreadpool of `threads` workers.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);
const BUILD = 'tfjs-backend-wasm-threaded-simd';

interface EmscriptenWorker {
  unref(): void;
}
interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: EmscriptenWorker[]; unusedWorkers: EmscriptenWorker[] };
  tfjs?: Record<string, (...args: number[]) => number>;
}

let registeredThreads: number | null = null;

/** The threads the registered threaded backend asked for, or null when the stock (1-thread) one is in use. */
export function requestedWasmThreads(): number | null {
  return registeredThreads;
}

/** The threads XNNPACK's pool really has (1 on the stock build), read from the initialised wasm backend. */
export function wasmThreadsCount(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const wasm = (tf.backend() as unknown as { wasm: ThreadedModule }).wasm;
  return wasm.tfjs?.getThreadsCount?.() ?? 1;
}

/**
 * Registers the threaded build as tfjs's `wasm` backend (replacing the stock registration; every wasm
 * kernel is registered by backend name, so all of them carry over). Call before the backend is first used.
 * `threads` ≤ 1 leaves the stock single-threaded backend alone.
 */
export function registerThreadedWasm(threads: number): void {
  if (threads <= 1 || registeredThreads === threads) return;
  if (tf.engine().registry.wasm)
    throw new Error('registerThreadedWasm: the wasm backend is already initialised; call it first');
  const pkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const out = join(pkg, 'wasm-out');
  const factory = require(join(out, `${BUILD}.js`)) as (config: object) => Promise<ThreadedModule>;
  const workerFile = writeWorkerScript(out, pkg);
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      // backend.cc sizes its pool at start-up as min(threads, logical cores / 2) (it assumes two hardware
      // threads per core), so the pool can hold `threads` only if the logical-core count says 2 × threads.
      const cpus = os.cpus;
      os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => cpus()[i % cpus().length]!);
      let module: ThreadedModule;
      try {
        module = await factory({
          locateFile: (path: string) => (path.endsWith('.worker.js') ? workerFile : join(out, path)),
          mainScriptUrlOrBlob: join(out, `${BUILD}.js`),
        });
      } finally {
        os.cpus = cpus;
      }
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      const backend = new BackendWasm(module as never);
      // The pool's workers wait on the shared memory forever; unreferenced, they do not keep Node alive
      // once a command's work is done.
      for (const w of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) w.unref();
      return backend;
    },
    2,
  );
  registeredThreads = threads;
}

/**
 * The pthread worker script. tfjs keeps it as a string export (a template literal whose "\n" escapes became
 * newlines when it was evaluated; its own loader re-escapes them the same way). Written once per tfjs
 * version to the OS temp folder, as CommonJS: the script uses require().
 */
function writeWorkerScript(out: string, pkg: string): string {
  const version = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string })
    .version;
  const dir = join(os.tmpdir(), 'session-rec-tfjs-wasm');
  const file = join(dir, `${BUILD}-${version}.worker.cjs`);
  const { wasmWorkerContents } = require(join(out, `${BUILD}.worker.js`)) as {
    wasmWorkerContents: string;
  };
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  // Written aside, then renamed: another training process may be starting its workers from this file.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, wasmWorkerContents.replace(/\n/g, '\\n'));
  renameSync(partial, file);
  return file;
}
