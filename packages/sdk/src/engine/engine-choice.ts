// Which engine `backend: 'auto'` runs: software GPU adapters go straight to the CPU engine; any other
// adapter is measured once (a few recommends on both engines, median) and the result is cached per
// adapter and model shape so that later page loads skip the measurement. Measured in headless Chromium
// (SwiftShader): WebGPU p50 23 ms against CPU 1.6 ms, and starting WebGPU adds ~1.2 s to a page load.
import type { ModelBundle } from '../bundle/types.ts';
import type { Engine } from './types.ts';

/** What the browser says about its WebGPU adapter (GPUAdapterInfo plus the fallback flag). */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** GPUAdapterInfo.isFallbackAdapter (or the older GPUAdapter.isFallbackAdapter). */
  isFallbackAdapter: boolean;
}

export type EngineChoiceReason =
  /** `backend: 'cpu'` or `backend: 'webgpu'`. */
  | 'forced'
  /** No navigator.gpu, or no adapter. */
  | 'no-webgpu'
  /** A model without an encoder (popularity): nothing for a GPU to speed up. */
  | 'cpu-only-model'
  /** A software adapter (SwiftShader, llvmpipe, lavapipe, Chrome's fallback adapter). */
  | 'fallback-adapter'
  /** Still deciding: the CPU engine answers while the WebGPU engine starts and is measured. */
  | 'pending'
  /** Both engines were measured on this page load; the faster (median) runs. */
  | 'calibrated'
  /** An earlier page load measured this adapter with this model shape. */
  | 'cached'
  /** The WebGPU engine failed to start (or failed while being measured). */
  | 'webgpu-failed'
  /** The WebGPU engine was running and lost its device. */
  | 'device-lost'
  /** The WebGPU engine was running and failed on a call. */
  | 'engine-error';

export interface CalibrationTimings {
  /** Median ms of one recommend on each engine (after one warm-up call each). */
  cpuMs: number;
  webgpuMs: number;
  /** Timed calls per engine. */
  samples: number;
}

export interface EngineChoice {
  /** The engine answering now. */
  engine: Engine['name'];
  reason: EngineChoiceReason;
  adapter?: AdapterDescription;
  /** The measurement behind a 'calibrated' (or 'cached') choice. */
  timings?: CalibrationTimings;
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|\bcpu\b/i;

/** True for adapters that emulate a GPU on the CPU: the CPU engine beats the WebGPU engine there. */
export function isSoftwareAdapter(
  info:
    | {
        architecture?: string;
        vendor?: string;
        description?: string;
        device?: string;
        isFallbackAdapter?: boolean;
      }
    | undefined,
): boolean {
  if (info === undefined) return false;
  return (
    info.isFallbackAdapter === true ||
    SOFTWARE_ADAPTER.test(`${info.architecture} ${info.vendor} ${info.description} ${info.device}`)
  );
}

/** Reads a GPUAdapter's description: `info.isFallbackAdapter` (Chrome 136+) or `adapter.isFallbackAdapter`. */
export function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info as Partial<GPUAdapterInfo & { isFallbackAdapter: boolean }> | undefined;
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: info?.isFallbackAdapter === true || legacy === true,
  };
}

/** The adapter the WebGPU engine would get (the same request as device.ts), or null when there is none. */
export async function requestAdapterDescription(
  gpu: GPU | undefined = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu,
): Promise<AdapterDescription | null> {
  if (gpu === undefined) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  return adapter === null ? null : describeAdapter(adapter);
}

// ---- calibration ----

export const CALIBRATION_SAMPLES = 5;

/** Sessions for the measurement: full-length (the cost ceiling), a different one per call so that no
 *  engine can answer from a cache of the previous session. */
export function calibrationSession(bundle: ModelBundle, call: number): number[] {
  const { numItems, maxLen } = bundle.manifest.hyper;
  return Array.from({ length: maxLen }, (_, i) => (call * 7919 + i * 104729) % numItems);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The faster engine by median; a tie keeps the CPU engine (no GPU memory, no device loss). */
export function fasterEngine(timings: CalibrationTimings): 'cpu' | 'webgpu' {
  return timings.webgpuMs < timings.cpuMs ? 'webgpu' : 'cpu';
}

// ---- cache ----

/** Where choices are kept: localStorage by default; anything with this shape in tests. */
export interface ChoiceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface CachedChoice {
  engine: 'cpu' | 'webgpu';
  timings: CalibrationTimings;
  /** ms since epoch of the measurement. */
  savedAt: number;
}

const CACHE_PREFIX = 'session-rec:engine-choice:v1:';
/** Browsers and drivers update: a measurement older than this is taken again. */
export const CHOICE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** The cache key: the adapter's identity and every hyperparameter that changes the engines' cost. */
export function choiceKey(adapter: AdapterDescription, bundle: ModelBundle): string {
  const hyper = bundle.manifest.hyper as unknown as Record<string, unknown>;
  const shape = Object.keys(hyper)
    .sort()
    .map((k) => `${k}=${JSON.stringify(hyper[k])}`)
    .join(',');
  const id = [adapter.vendor, adapter.architecture, adapter.device, adapter.description].join('|');
  return `${CACHE_PREFIX}${id}#${bundle.manifest.kind}:${shape}`;
}

/** localStorage when this realm has a usable one (a private window or a sandboxed iframe may throw). */
export function defaultChoiceStorage(): ChoiceStorage | null {
  try {
    const storage = (globalThis as { localStorage?: Storage }).localStorage;
    return storage ?? null;
  } catch {
    return null;
  }
}

/** A cached choice, or null: missing, unreadable, malformed or too old all mean "measure again". */
export function readCachedChoice(
  storage: ChoiceStorage | null,
  key: string,
  now: number,
): CachedChoice | null {
  if (storage === null) return null;
  let raw: string | null;
  try {
    raw = storage.getItem(key);
  } catch {
    return null;
  }
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<CachedChoice>;
    const t = value.timings;
    const ok =
      (value.engine === 'cpu' || value.engine === 'webgpu') &&
      typeof value.savedAt === 'number' &&
      now - value.savedAt < CHOICE_MAX_AGE_MS &&
      now >= value.savedAt &&
      t !== undefined &&
      typeof t.cpuMs === 'number' &&
      typeof t.webgpuMs === 'number' &&
      typeof t.samples === 'number';
    return ok ? (value as CachedChoice) : null;
  } catch {
    return null;
  }
}

/** Stores a choice; a full or refused storage only means the next visit measures again. */
export function writeCachedChoice(storage: ChoiceStorage | null, key: string, choice: CachedChoice): void {
  if (storage === null) return;
  try {
    storage.setItem(key, JSON.stringify(choice));
  } catch {
    // QuotaExceededError / SecurityError: nothing to do.
  }
}
