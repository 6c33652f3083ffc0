// Node entry of the WebGPU engine benchmark on a real GPU through Dawn (the `webgpu` npm package), bundled
// into ONE file by build.sh: bench/gpu/dist/engine-bench.mjs. On the GPU machine (see /work/shared/tools/gpu-carry.sh):
//   source .gpu/setup.sh && gpu-node bench/gpu/dist/engine-bench.mjs > engine-bench.json
// Env: WEBGPU_MODULE (path of the webgpu package, default 'webgpu'), DAWN_FLAGS (comma list),
//      SIZES (default 40728,1000000), SESSIONS (default 200), CPU_MAX_WORK (skip the CPU engine above V·N),
//      GROWING (growing 50-click sessions timed click by click, default 20).
import { defaultConfigs, runEngineBench } from './engine-bench-core.ts';

const moduleName = process.env.WEBGPU_MODULE ?? 'webgpu';
const { create, globals } = (await import(moduleName)) as {
  create: (flags: string[]) => GPU;
  globals: Record<string, unknown>;
};
Object.assign(globalThis, globals);
const gpu = create(process.env.DAWN_FLAGS ? process.env.DAWN_FLAGS.split(',') : []);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) {
  console.log(JSON.stringify({ error: 'no adapter' }));
  process.exit(2);
}
const device = await adapter.requestDevice({
  requiredLimits: {
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  },
});
const sizes = (process.env.SIZES ?? '40728,1000000').split(',').map(Number);
const started = Date.now();
const rows = await runEngineBench(device, {
  configs: defaultConfigs(sizes),
  sessions: Number(process.env.SESSIONS ?? 200),
  warmup: 10,
  k: 20,
  cpuMaxWork: Number(process.env.CPU_MAX_WORK ?? 40_728 * 128),
  growingSessions: Number(process.env.GROWING ?? 20),
  log: (line) => console.error(line),
});
const info = adapter.info;
console.log(
  JSON.stringify({
    adapter: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
    },
    node: process.version,
    wallSeconds: (Date.now() - started) / 1000,
    rows,
  }),
);
process.exit(0);
