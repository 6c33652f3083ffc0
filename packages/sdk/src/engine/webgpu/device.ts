// Getting a GPUDevice for the engine: the adapter's own buffer limits are requested (the defaults,
// 128 MiB per binding, are too small for a full item table of a large catalogue).
import { describeAdapter, isSoftwareAdapter, type AdapterDescription } from '../engine-choice.ts';
import { WebGpuUnavailableError } from './errors.ts';

export interface AcquiredDevice {
  device: GPUDevice;
  adapterInfo: AdapterDescription;
}

/** The `navigator.gpu` of this realm (window or worker), or undefined. */
export function gpuOf(scope: { navigator?: { gpu?: GPU } } = globalThis as never): GPU | undefined {
  return scope.navigator?.gpu;
}

/** Requests a high-performance adapter and a device with the adapter's largest buffer limits. */
export async function acquireDevice(gpu: GPU | undefined = gpuOf()): Promise<AcquiredDevice> {
  if (gpu === undefined)
    throw new WebGpuUnavailableError(
      'no-webgpu',
      'navigator.gpu is not available (no WebGPU in this browser or context)',
    );
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null)
    throw new WebGpuUnavailableError('no-adapter', 'navigator.gpu.requestAdapter() returned no adapter');
  const device = await adapter.requestDevice({
    label: 'session-rec',
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return { device, adapterInfo: describeAdapter(adapter) };
}

/**
 * True for adapters that emulate a GPU on the CPU (SwiftShader, Chrome's fallback adapter). Measured here,
 * the CPU engine beats the WebGPU engine on them for every kind (README.md), so a caller choosing an engine
 * may prefer the CPU engine when this holds.
 */
export function isCpuBackedAdapter(
  info:
    { architecture?: string; vendor?: string; description?: string; isFallbackAdapter?: boolean } | undefined,
): boolean {
  // One classification for the engine's workgroup tuning and for `backend: 'auto'` (engine-choice.ts).
  return isSoftwareAdapter(info);
}
