import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random-bundle.ts';
import { bitsFor, packBits, packedByteLength, unpackBits } from './bit-pack.ts';

describe('bit packing', () => {
  it('round-trips random values at every width 1..16', () => {
    const rand = seededRandom(7);
    for (let bits = 1; bits <= 16; bits++) {
      for (const count of [0, 1, 7, 8, 9, 1001]) {
        const values = Uint16Array.from({ length: count }, () => Math.floor(rand() * 2 ** bits));
        const packed = packBits(values, bits);
        expect(packed.byteLength).toBe(packedByteLength(count, bits));
        expect(unpackBits(packed, bits, new Uint16Array(count))).toEqual(values);
      }
    }
  });

  it('stores least significant bits first, back to back', () => {
    // 3-bit values 1, 2, 7 → bits 100 010 111 (LSB first) → bytes 0b11010001, 0b1
    expect([...packBits([1, 2, 7], 3)]).toEqual([0b11010001, 0b1]);
  });

  it('refuses a value that does not fit', () => {
    expect(() => packBits([3, 32, 1], 5)).toThrow(/value 32 at position 1 does not fit in 5 bits/);
    expect(() => packBits([1], 0)).toThrow(RangeError);
  });

  it('bitsFor gives the smallest width for K codewords', () => {
    expect([1, 2, 3, 32, 33, 256, 257].map(bitsFor)).toEqual([1, 1, 2, 5, 6, 8, 9]);
  });
});
