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
/** The rankings that need no model (empty session, `popularity` bundles), as the CPU engine scores them. */
export { modelFreeScores } from './model-free-scores.ts';
