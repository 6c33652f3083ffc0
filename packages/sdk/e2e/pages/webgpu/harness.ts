// The SDK's WebGPU test page (./index.html): the harness of ./harness-lib.ts on `window.webgpuHarness`.
import { installHarness, webgpuHarness } from './harness-lib.ts';

installHarness(webgpuHarness);
