// Browser tests in the system Chromium with WebGPU (SwiftShader when there is no GPU). See SPEC §7.
import { defineConfig } from '@playwright/test';

// Two dev servers: the demo app's (apps/*/e2e) and the SDK's own test pages (packages/*/e2e), one port up.
const port = Number(process.env.E2E_PORT ?? 4317);
const sdkPort = port + 1;
const chromiumArgs = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  ...(process.env.REAL_GPU ? [] : ['--use-webgpu-adapter=swiftshader']),
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  timeout: 120_000,
  workers: 1,
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
  },
  projects: [
    {
      name: 'sdk',
      testMatch: 'packages/*/e2e/**/*.spec.ts',
      use: { baseURL: `http://127.0.0.1:${sdkPort}` },
    },
    { name: 'apps', testMatch: 'apps/*/e2e/**/*.spec.ts', use: { baseURL: `http://127.0.0.1:${port}` } },
  ],
  webServer: [
    {
      command: `node_modules/.bin/vite --config apps/demo-shop/vite.config.ts --host 127.0.0.1 --port ${port} --strictPort`,
      url: `http://127.0.0.1:${port}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
    },
    {
      command: `node_modules/.bin/vite --config packages/sdk/e2e/vite.config.ts --host 127.0.0.1 --port ${sdkPort} --strictPort`,
      url: `http://127.0.0.1:${sdkPort}/sdk/index.html`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
    },
  ],
});
