import { describe, expect, it } from 'vitest';
import { compositionalTableBytes, paramCount, tensorTrainConfig } from './tt-configs.ts';

const datasets = [
  { name: 'tmall', V: 40727, N: 128 },
  { name: 'retailrocket', V: 36968, N: 256 },
  { name: 'some-shop', V: 12345, N: 64 },
];

describe('tensor-train configurations', () => {
  it("use the issue's ~30× factors for the shipped datasets", () => {
    expect(tensorTrainConfig('tt', '30x', 'tmall', 40727, 128)).toEqual({
      kind: 'tt',
      p: [30, 34, 40],
      q: [4, 4, 8],
      ranks: [34, 34],
    });
    expect(paramCount(tensorTrainConfig('tt', '30x', 'tmall', 40727, 128), 40727, 128)).toBe(172176);
    expect(tensorTrainConfig('sttd', '30x', 'retailrocket', 36968, 256)).toEqual({
      kind: 'sttd',
      I: [117, 316],
      J: [16, 16],
      rank: 100,
      t: 2,
    });
  });

  for (const d of datasets) {
    for (const kind of ['tt', 'sttd'] as const) {
      it(`${kind} on ${d.name}: equal-bytes within 2.5% of the compositional M=4, K=32 table; 30× within 5%`, () => {
        const target = compositionalTableBytes(d.V, d.N, 4, 32) / 4;
        const eq = paramCount(tensorTrainConfig(kind, 'equal-bytes', d.name, d.V, d.N), d.V, d.N);
        expect(Math.abs(eq - target) / target).toBeLessThan(0.025);
        const ratio = (d.V * d.N) / paramCount(tensorTrainConfig(kind, '30x', d.name, d.V, d.N), d.V, d.N);
        expect(Math.abs(ratio - 30) / 30).toBeLessThan(0.05);
      });
    }
  }

  it('counts compositional bytes: uint8 codes up to K = 256, uint16 beyond', () => {
    expect(compositionalTableBytes(100, 8, 4, 256)).toBe(100 * 4 + 4 * 256 * 8 * 4);
    expect(compositionalTableBytes(100, 8, 4, 257)).toBe(100 * 4 * 2 + 4 * 257 * 8 * 4);
  });
});
