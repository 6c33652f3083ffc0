// The benchmark's engines in the browser (Playwright: apps/demo-shop/e2e/engine-*.spec.ts): the SDK's WebGPU
// harness (packages/sdk/e2e/pages/webgpu/harness-lib.ts) plus what only the benchmark has — the tfjs comparison
// engine (../../src/bench/tfjs-engine.ts) and the GPU-machine benchmark's core (bench/gpu/).
import { acquireDevice } from '@session-rec/sdk/engine/webgpu';
import { runEngineBench, type BenchConfig } from '../../../../bench/gpu/engine-bench-core.ts';
import {
  gpuEngines,
  installHarness,
  webgpuHarness,
} from '../../../../packages/sdk/e2e/pages/webgpu/harness-lib.ts';

// tfjs is downloaded only when a case asks for it.
gpuEngines['tfjs-webgpu'] = async (bundle) =>
  (await import('../../src/bench/tfjs-engine.ts')).createTfjsEngine(bundle);

/** The GPU-machine benchmark's core (bench/gpu/), run here on small sizes so that CI proves it works. */
async function engineBench(configs: BenchConfig[]) {
  const { device } = await acquireDevice();
  try {
    return await runEngineBench(device, { configs, sessions: 12, warmup: 2, k: 20, growingSessions: 2 });
  } finally {
    device.destroy();
  }
}

installHarness({ ...webgpuHarness, engineBench });
