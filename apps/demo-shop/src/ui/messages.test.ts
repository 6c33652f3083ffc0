import { BundleIntegrityError, BundleLoadError, BundleVersionError } from '@session-rec/sdk';
import { describe, expect, it } from 'vitest';
import { explainLoadError, explainWarning, shortId } from './messages.ts';

describe('explainLoadError', () => {
  it('says in plain words what each typed error means', () => {
    expect(explainLoadError(new BundleIntegrityError('sha mismatch'), true)).toMatch(/damaged or incomplete/);
    expect(explainLoadError(new BundleVersionError('v99', 99), true)).toMatch(/newer version/);
    expect(explainLoadError(new BundleLoadError('HTTP 500'), true)).toMatch(/server did not deliver/);
    expect(explainLoadError(new BundleLoadError('failed'), false)).toMatch(/offline/);
    expect(explainLoadError(new Error('boom'), true)).toMatch(/unexpected error/);
  });

  it('explains a version skipped because it failed recently, and never shows the raw message', () => {
    const text = explainLoadError(
      new BundleIntegrityError('version 1 failed verification … not downloaded again before …: sha'),
      true,
    );
    expect(text).toMatch(/Retry downloads it now/);
    expect(text).not.toMatch(/sha/);
  });
});

describe('explainWarning', () => {
  it('has a sentence for every warning the shop can get, and cuts long ids', () => {
    for (const code of [
      'offline',
      'model-update-failed',
      'storage-fallback',
      'webgpu-unavailable',
      'device-lost',
      'engine-error',
      'stored-copy-invalid',
    ] as const) {
      const text = explainWarning({ code, message: `raw ${code}` });
      expect(text, code).not.toContain('raw');
      expect(text.length).toBeGreaterThan(20);
    }
    const long = 'x'.repeat(3000);
    const text = explainWarning({ code: 'unknown-item', message: 'raw', itemId: long });
    expect(text.length).toBeLessThan(120);
    expect(shortId(long)).toHaveLength(40);
  });
});
