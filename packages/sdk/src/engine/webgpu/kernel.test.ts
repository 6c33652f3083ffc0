// The kernel-spec helper without a GPU: declarations from named bindings, the cache key, one pipeline per
// (kernel, shape) and device, and bind groups by name (a fake device records what WebGPU would be asked).
import { describe, expect, it } from 'vitest';
import { getKernel, kernelKey, kernelWgsl, read, readWrite, uniform, type KernelSpec } from './kernel.ts';

const spec = (n: number, body = `fn main() { y[0] = x[0] * ${n}.0; }`): KernelSpec => ({
  name: 'scale',
  shape: { n },
  bindings: [uniform('params', 'Params'), read('x', 'f32'), readWrite('y', 'f32')],
  body,
});

function fakeDevice() {
  const calls = { pipelines: 0, groups: [] as GPUBindGroupDescriptor[] };
  const device = {
    createShaderModule: (d: GPUShaderModuleDescriptor) => ({ code: d.code }),
    async createComputePipelineAsync() {
      calls.pipelines++;
      return { getBindGroupLayout: () => ({}) };
    },
    createBindGroup: (d: GPUBindGroupDescriptor) => (calls.groups.push(d), {}),
  } as unknown as GPUDevice;
  return { device, calls };
}

const buffer = (label: string) => ({ label }) as unknown as GPUBuffer;

describe('kernel specs', () => {
  it('declares the bindings in order, by name, before the body', () => {
    expect(kernelWgsl(spec(2)).split('\n').slice(0, 3)).toEqual([
      '@group(0) @binding(0) var<uniform> params: Params;',
      '@group(0) @binding(1) var<storage, read> x: array<f32>;',
      '@group(0) @binding(2) var<storage, read_write> y: array<f32>;',
    ]);
    expect(() => kernelWgsl({ ...spec(2), bindings: [read('x', 'f32'), read('x', 'u32')] })).toThrow(
      /binding "x" declared twice/,
    );
  });

  it('keys a kernel by name and shape (arrays joined, long strings hashed)', () => {
    expect(kernelKey(spec(2))).toBe('scale(n=2)');
    expect(kernelKey({ ...spec(2), shape: { q: [2, 3], relu: true } })).toBe('scale(q=2x3,relu=true)');
    const long = kernelKey({ ...spec(2), shape: { wgsl: 'fn item_row() {}'.repeat(10) } });
    expect(long).toMatch(/^scale\(wgsl=#[0-9a-f]+\)$/);
  });

  it('compiles each (kernel, shape) once per device and binds buffers by name', async () => {
    const { device, calls } = fakeDevice();
    const a = await getKernel(device, spec(2));
    expect(await getKernel(device, spec(2))).toBe(a);
    await getKernel(device, spec(3));
    expect(calls.pipelines).toBe(2);
    await getKernel(fakeDevice().device, spec(2));
    expect(calls.pipelines).toBe(2); // another device has its own cache

    a.bind({ y: buffer('y'), params: buffer('p'), x: buffer('x') });
    const entries = [...calls.groups[0].entries] as GPUBindGroupEntry[];
    expect(
      entries.map((e) => [e.binding, ((e.resource as GPUBufferBinding).buffer as { label: string }).label]),
    ).toEqual([
      [0, 'p'],
      [1, 'x'],
      [2, 'y'],
    ]);
    expect(() => a.bind({ params: buffer('p'), x: buffer('x') })).toThrow(/binding "y" not given/);
    expect(() => a.bind({ params: buffer('p'), x: buffer('x'), y: buffer('y'), z: buffer('z') })).toThrow(
      /no binding z/,
    );
  });

  it('refuses a key whose WGSL differs (a shape that misses a value the WGSL depends on)', async () => {
    const { device } = fakeDevice();
    await getKernel(device, spec(2));
    expect(() => getKernel(device, spec(2, 'fn main() {}'))).toThrow(/same key, different WGSL/);
  });
});
