// Typed errors of the WebGPU engine. `createRecommender` branches on `code` to fall back to the CPU
// engine (no adapter, device lost) without parsing messages.

export class WebGpuEngineError extends Error {
  constructor(
    readonly code: 'no-webgpu' | 'no-adapter' | 'device-lost' | 'disposed' | 'limits' | 'kernel',
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** navigator.gpu is missing, or requestAdapter() returned null. */
export class WebGpuUnavailableError extends WebGpuEngineError {
  constructor(reason: 'no-webgpu' | 'no-adapter', detail: string) {
    super(reason, detail);
  }
}

/** The GPUDevice was lost (driver reset, device.destroy(), tab backgrounded too long). The engine is unusable. */
export class WebGpuDeviceLostError extends WebGpuEngineError {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super('device-lost', `WebGPU device lost (${reason})${detail ? `: ${detail}` : ''}`);
  }
}

/** recommend() after dispose(). */
export class WebGpuEngineDisposedError extends WebGpuEngineError {
  constructor() {
    super('disposed', 'the WebGPU engine was disposed');
  }
}

/** A tensor of the bundle does not fit the device's buffer limits. */
export class WebGpuLimitError extends WebGpuEngineError {
  constructor(
    readonly tensor: string,
    bytes: number,
    limit: number,
  ) {
    super(
      'limits',
      `tensor "${tensor}" needs ${bytes} bytes, more than the device allows in one binding (${limit})`,
    );
  }
}

/** A WGSL kernel failed to compile or to build its pipeline (a bug, or an adapter missing a feature). */
export class WebGpuKernelError extends WebGpuEngineError {
  constructor(
    readonly kernel: string,
    detail: string,
  ) {
    super('kernel', `WGSL kernel "${kernel}": ${detail}`);
  }
}
