import { afterEach, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.ts';

describe('selectBackend', () => {
  const saved = process.env.WEBGPU_MODULE;
  afterEach(() => {
    if (saved === undefined) delete process.env.WEBGPU_MODULE;
    else process.env.WEBGPU_MODULE = saved;
  });

  it('names the missing optional package when webgpu is asked for without Dawn', async () => {
    process.env.WEBGPU_MODULE = '/nonexistent/webgpu/index.js';
    await expect(selectBackend('webgpu')).rejects.toThrow(/optional `webgpu` package/);
  });
});
