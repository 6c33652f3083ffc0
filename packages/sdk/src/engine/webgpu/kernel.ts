// Kernel specs: every WGSL kernel of the engine is described by a name, the shape values its WGSL is
// generated from, named bindings and a body (after tfjs-backend-webgpu's programs: named inputs, one
// runner caching pipelines by key). The helper writes the @binding declarations in the spec's order, compiles
// each (name, shape) once per device, and binds buffers by name, so no call site counts binding positions.
import { createKernel, type Binding } from './gpu-util.ts';

/** One buffer of a kernel: `var<storage, read>` (default), `var<storage, read_write>` or `var<uniform>`. */
export interface BindingDecl {
  readonly name: string;
  /** WGSL type, e.g. `array<f32>`, `Params`, `array<atomic<u32>, 256>`. */
  readonly type: string;
  readonly access?: 'read' | 'read_write' | 'uniform';
}

export interface KernelSpec {
  /** The kernel's name: pipeline label and the first half of its cache key. */
  readonly name: string;
  /** Every value the WGSL is generated from (sizes, flags, the item-table kind): the rest of the key. */
  readonly shape: Readonly<Record<string, number | boolean | string | readonly number[]>>;
  /** Bindings 0, 1, … in this order; names must be unique (the body refers to them). */
  readonly bindings: readonly BindingDecl[];
  /** WGSL after the binding declarations: structs, helpers and `fn main`. */
  readonly body: string;
}

/** Read-only storage arrays (the common case): `read('x', 'f32')`. */
export const read = (name: string, element: string): BindingDecl => ({ name, type: `array<${element}>` });
/** A read-write storage array. */
export const readWrite = (name: string, element: string): BindingDecl => ({
  name,
  type: `array<${element}>`,
  access: 'read_write',
});
/** A uniform of a struct type. */
export const uniform = (name: string, type: string): BindingDecl => ({ name, type, access: 'uniform' });

/** The WGSL of a spec: generated declarations, then the body. */
export function kernelWgsl(spec: KernelSpec): string {
  const seen = new Set<string>();
  const decls = spec.bindings.map((b, i) => {
    if (seen.has(b.name)) throw new Error(`kernel ${spec.name}: binding "${b.name}" declared twice`);
    seen.add(b.name);
    const space = b.access === 'uniform' ? 'uniform' : `storage, ${b.access ?? 'read'}`;
    return `@group(0) @binding(${i}) var<${space}> ${b.name}: ${b.type};`;
  });
  return `${decls.join('\n')}\n${spec.body}`;
}

export interface Kernel {
  readonly pipeline: GPUComputePipeline;
  /** A bind group with a buffer for every binding of the spec, by name (an unknown or missing name throws). */
  bind(buffers: Readonly<Record<string, Binding>>, label?: string): GPUBindGroup;
}

/** FNV-1a of a string, in hex: long shape values (an item table's WGSL) enter the key by their hash. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

/** The cache key of a spec: its name and shape. */
export function kernelKey(spec: KernelSpec): string {
  const value = (v: KernelSpec['shape'][string]) =>
    Array.isArray(v) ? v.join('x') : typeof v === 'string' && v.length > 32 ? `#${hash(v)}` : String(v);
  const shape = Object.keys(spec.shape)
    .sort()
    .map((k) => `${k}=${value(spec.shape[k])}`)
    .join(',');
  return `${spec.name}(${shape})`;
}

const caches = new WeakMap<GPUDevice, Map<string, { code: string; kernel: Promise<Kernel> }>>();

/**
 * The compiled kernel of `spec` on `device`: compiled on first use of its key, then shared (across engines
 * on the same device too). A key whose WGSL differs from the cached one's is a spec whose shape misses a
 * value its WGSL depends on: that throws rather than run the wrong pipeline.
 */
export function getKernel(device: GPUDevice, spec: KernelSpec): Promise<Kernel> {
  let cache = caches.get(device);
  if (cache === undefined) caches.set(device, (cache = new Map()));
  const key = kernelKey(spec);
  const code = kernelWgsl(spec);
  const hit = cache.get(key);
  if (hit !== undefined) {
    if (hit.code !== code)
      throw new Error(`kernel ${key}: same key, different WGSL (its shape is incomplete)`);
    return hit.kernel;
  }
  const kernel = createKernel(device, key, code).then((pipeline) => ({
    pipeline,
    bind(buffers: Readonly<Record<string, Binding>>, label = spec.name): GPUBindGroup {
      const unknown = Object.keys(buffers).filter((n) => !spec.bindings.some((b) => b.name === n));
      if (unknown.length > 0) throw new Error(`kernel ${spec.name}: no binding ${unknown.join(', ')}`);
      const entries = spec.bindings.map((b, binding): GPUBindGroupEntry => {
        const buffer = buffers[b.name];
        if (buffer === undefined) throw new Error(`kernel ${spec.name}: binding "${b.name}" not given`);
        return { binding, resource: 'buffer' in buffer ? buffer : { buffer } };
      });
      return device.createBindGroup({ label, layout: pipeline.getBindGroupLayout(0), entries });
    },
  }));
  // A failed compilation is not cached: the next call reports it again.
  kernel.catch(() => cache.delete(key));
  cache.set(key, { code, kernel });
  return kernel;
}

/** Records one dispatch of `kernel` with `group` into `pass`. */
export function dispatch(
  pass: GPUComputePassEncoder,
  kernel: Kernel,
  group: GPUBindGroup,
  x: number,
  y = 1,
): void {
  pass.setPipeline(kernel.pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(x, y);
}
