import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, float16BitsToFloat32, float32ToFloat16Bits } from './float16.ts';

const f32 = (x: number): number => Math.fround(x);

describe('float16', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite half
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [1023 * 2 ** -24, 0x03ff], // largest subnormal
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
  ])('%d ⇄ 0x%s exactly', (value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits);
    expect(Object.is(float16BitsToFloat32(bits), value)).toBe(true);
  });

  it('NaN stays NaN (a non-zero mantissa, not Infinity)', () => {
    const bits = float32ToFloat16Bits(NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
    expect(float16BitsToFloat32(bits)).toBeNaN();
    expect(decodeFloat16(Uint16Array.from([0x7e00, 0xfe01]))).toEqual(Float32Array.from([NaN, NaN]));
  });

  it('rounds to nearest, ties to even', () => {
    const ulp = 2 ** -10; // spacing of halves in [1, 2)
    expect(float32ToFloat16Bits(1 + ulp / 2)).toBe(0x3c00); // tie → even (1.0)
    expect(float32ToFloat16Bits(1 + (3 * ulp) / 2)).toBe(0x3c02); // tie → even (1 + 2ulp)
    expect(float32ToFloat16Bits(f32(1 + ulp / 2 + 2 ** -20))).toBe(0x3c01); // just above the tie → up
    expect(float32ToFloat16Bits(f32(1 + ulp / 2 - 2 ** -20))).toBe(0x3c00); // just below → down
  });

  it('overflows to Infinity only past the rounding boundary of 65504', () => {
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff); // below the midpoint 65520 → max finite
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // the tie rounds to even: Infinity
    expect(float32ToFloat16Bits(-1e6)).toBe(0xfc00);
  });

  it('rounds into and out of the subnormal range', () => {
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // half the smallest subnormal: tie → even (0)
    expect(float32ToFloat16Bits(f32(2 ** -25 * 1.0001))).toBe(0x0001);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 units: tie → even (2)
    expect(float32ToFloat16Bits(2 ** -30)).toBe(0x0000);
    expect(float32ToFloat16Bits(-(2 ** -30))).toBe(0x8000);
    // Largest subnormal + half a unit rounds up into the smallest normal.
    expect(float32ToFloat16Bits(1023.5 * 2 ** -24)).toBe(0x0400);
  });

  it('every half value survives half → float → half', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const widened = decodeFloat16(all);
    const back = encodeFloat16(widened);
    for (let h = 0; h < 65536; h++) {
      if (Number.isNaN(widened[h])) continue;
      if (back[h] !== h) throw new Error(`0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
    }
  });

  it('the nearest half of a random float is within half an ulp', () => {
    for (let i = 0; i < 10_000; i++) {
      const x = f32((Math.random() - 0.5) * 2 ** (Math.random() * 30 - 15));
      const h = float32ToFloat16Bits(x);
      const y = float16BitsToFloat32(h);
      // The neighbours of h bound the error: |x − y| ≤ |x − neighbour| for both neighbours.
      for (const n of [h - 1, h + 1]) {
        if ((n & 0x7fff) > 0x7bff || n < 0) continue;
        const z = float16BitsToFloat32(n & 0xffff);
        if ((h & 0x8000) === (n & 0x8000)) expect(Math.abs(x - y)).toBeLessThanOrEqual(Math.abs(x - z));
      }
    }
  });
});
