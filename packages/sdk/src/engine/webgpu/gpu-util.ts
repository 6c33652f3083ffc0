// Small helpers shared by the WebGPU engine's modules: buffer upload, pipeline creation with typed
// errors (kernel.ts builds on it), and 1-D dispatch folded into 2-D past the 65,535 limit.
import { WebGpuKernelError, WebGpuLimitError } from './errors.ts';

/** The most workgroups one dispatch dimension may have (WebGPU's default maxComputeWorkgroupsPerDimension). */
export const MAX_WORKGROUPS_PER_DIM = 65535;

/** A WGSL f32 literal for a JS number (WGSL reads `1` as an integer). */
export function f32(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} as a WGSL literal`);
  const s = String(Math.fround(x));
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** Creates a storage buffer holding `data` (padded to 4 bytes; at least 16 bytes so that empty tensors bind). */
export function uploadStorage(
  device: GPUDevice,
  label: string,
  data: ArrayBufferView,
  extraUsage = 0,
): GPUBuffer {
  const bytes = data.byteLength;
  const limit = device.limits.maxStorageBufferBindingSize;
  if (bytes > limit) throw new WebGpuLimitError(label, bytes, limit);
  const buffer = device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(bytes / 4) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extraUsage,
    mappedAtCreation: true,
  });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, bytes));
  buffer.unmap();
  return buffer;
}

/** An uninitialised storage buffer of `bytes` (rounded up to 16). */
export function storageBuffer(device: GPUDevice, label: string, bytes: number, extraUsage = 0): GPUBuffer {
  const limit = device.limits.maxStorageBufferBindingSize;
  if (bytes > limit) throw new WebGpuLimitError(label, bytes, limit);
  return device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(bytes / 16) * 16),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extraUsage,
  });
}

/** Compiles a kernel; compilation or validation failures become a WebGpuKernelError naming it. */
export async function createKernel(
  device: GPUDevice,
  label: string,
  code: string,
): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ label, code });
  try {
    return await device.createComputePipelineAsync({
      label,
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
  } catch (err) {
    const info = await module.getCompilationInfo().catch(() => undefined);
    const messages = info?.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
    throw new WebGpuKernelError(label, messages || (err instanceof Error ? err.message : String(err)));
  }
}

export type Binding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

/** Workgroup counts (x, y) covering `workgroups` in one dispatch; kernels read the linear id as x + y · nx. */
export function grid(workgroups: number): [number, number] {
  const x = Math.min(Math.max(workgroups, 1), MAX_WORKGROUPS_PER_DIM);
  return [x, Math.ceil(workgroups / x)];
}

/** WGSL for the linear workgroup id of a `grid()` dispatch (needs `wid` and `nwg` builtins). */
export const FLAT_WORKGROUP_ID = 'wid.x + wid.y * nwg.x';
