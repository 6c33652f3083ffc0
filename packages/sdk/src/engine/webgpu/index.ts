// `@session-rec/sdk/engine/webgpu`: the WebGPU engine (hand-written WGSL) and its typed errors.
// Import it lazily (`await import(...)`): nothing here runs until createWebGpuEngine is called.
export {
  createWebGpuEngine,
  type WebGpuEngine,
  type WebGpuEngineOptions,
  type DeviceLostInfo,
} from './engine.ts';
export { acquireDevice, isCpuBackedAdapter } from './device.ts';
export {
  WebGpuEngineError,
  WebGpuUnavailableError,
  WebGpuDeviceLostError,
  WebGpuEngineDisposedError,
  WebGpuLimitError,
  WebGpuKernelError,
} from './errors.ts';

/**
 * The generic-op comparison engine (tfjs on its webgpu backend). tfjs is imported only here, on first
 * use, so that the hand-written engine's importers never download it.
 */
export async function createTfjsWebGpuEngine(bundle: import('../../bundle/types.ts').ModelBundle) {
  const { createTfjsEngine } = await import('./tfjs-engine.ts');
  return createTfjsEngine(bundle);
}
