import { describe, expect, it } from 'vitest';
import { decodeBundleFromFiles } from '../bundle/index.ts';
import { randomBundleFiles } from '../testing/random-bundle.ts';
import {
  CHOICE_MAX_AGE_MS,
  choiceKey,
  describeAdapter,
  fasterEngine,
  isSoftwareAdapter,
  median,
  readCachedChoice,
  writeCachedChoice,
  type AdapterDescription,
  type ChoiceStorage,
} from './engine-choice.ts';

const blank: AdapterDescription = {
  vendor: '',
  architecture: '',
  device: '',
  description: '',
  isFallbackAdapter: false,
};

describe('isSoftwareAdapter', () => {
  it.each([
    [{ vendor: 'google', architecture: 'swiftshader', description: '' }],
    [{ vendor: 'Google Inc.', description: 'SwiftShader Device (Subzero)' }],
    [{ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.7, 256 bits)' }],
    [{ vendor: 'Mesa', device: 'Lavapipe' }],
    [{ vendor: 'nvidia', isFallbackAdapter: true }],
  ])('%j is software', (info) => {
    expect(isSoftwareAdapter({ ...blank, ...info })).toBe(true);
  });

  it.each([
    [{ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }],
    [{ vendor: 'apple', architecture: 'metal-3' }],
    [{ vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) UHD Graphics' }],
  ])('%j is hardware', (info) => {
    expect(isSoftwareAdapter({ ...blank, ...info })).toBe(false);
  });

  it('an unknown adapter is not called software', () => expect(isSoftwareAdapter(undefined)).toBe(false));
});

describe('describeAdapter', () => {
  it('reads GPUAdapterInfo.isFallbackAdapter and the older GPUAdapter.isFallbackAdapter', () => {
    const info = { vendor: 'google', architecture: 'swiftshader', device: '', description: '' };
    expect(describeAdapter({ info: { ...info, isFallbackAdapter: true } } as never).isFallbackAdapter).toBe(
      true,
    );
    expect(describeAdapter({ info, isFallbackAdapter: true } as never).isFallbackAdapter).toBe(true);
    expect(describeAdapter({ info } as never)).toEqual({ ...info, isFallbackAdapter: false });
    expect(describeAdapter({} as never)).toEqual(blank);
  });
});

describe('median and the faster engine', () => {
  it('median of odd and even counts, unsorted input', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
  it('a tie keeps the CPU engine', () => {
    expect(fasterEngine({ cpuMs: 2, webgpuMs: 1, samples: 5 })).toBe('webgpu');
    expect(fasterEngine({ cpuMs: 2, webgpuMs: 2, samples: 5 })).toBe('cpu');
  });
});

describe('choice cache', () => {
  const storage = (): ChoiceStorage & { data: Map<string, string> } => {
    const data = new Map<string, string>();
    return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
  };
  const choice = { engine: 'webgpu' as const, timings: { cpuMs: 3, webgpuMs: 1, samples: 5 }, savedAt: 1000 };

  it('the key changes with the adapter and with every shape hyperparameter', async () => {
    const a = await decodeBundleFromFiles(
      await randomBundleFiles('compositional', { numItems: 50, dim: 8, seed: 1 }),
    );
    const b = await decodeBundleFromFiles(
      await randomBundleFiles('compositional', { numItems: 50, dim: 8, seed: 2 }),
    );
    const c = await decodeBundleFromFiles(
      await randomBundleFiles('compositional', { numItems: 50, dim: 16, seed: 1 }),
    );
    const gpu = { ...blank, vendor: 'nvidia', device: '0x1' };
    expect(choiceKey(gpu, a)).toBe(choiceKey(gpu, b)); // weights differ, shape does not
    expect(choiceKey(gpu, a)).not.toBe(choiceKey(gpu, c));
    expect(choiceKey(gpu, a)).not.toBe(choiceKey({ ...gpu, device: '0x2' }, a));
    expect(choiceKey(gpu, a)).toContain('compositional');
  });

  it('round-trips; missing, malformed, future or expired entries read as a miss', () => {
    const s = storage();
    writeCachedChoice(s, 'k', choice);
    expect(readCachedChoice(s, 'k', 2000)).toEqual(choice);
    expect(readCachedChoice(s, 'other', 2000)).toBeNull();
    expect(readCachedChoice(s, 'k', 1000 + CHOICE_MAX_AGE_MS)).toBeNull();
    expect(readCachedChoice(s, 'k', 500)).toBeNull();
    s.data.set('k', 'not json');
    expect(readCachedChoice(s, 'k', 2000)).toBeNull();
    s.data.set('k', JSON.stringify({ ...choice, engine: 'tpu' }));
    expect(readCachedChoice(s, 'k', 2000)).toBeNull();
    expect(readCachedChoice(null, 'k', 2000)).toBeNull();
  });

  it('a storage that throws is a miss on read and ignored on write', () => {
    const throwing: ChoiceStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(readCachedChoice(throwing, 'k', 0)).toBeNull();
    expect(() => writeCachedChoice(throwing, 'k', choice)).not.toThrow();
  });
});
