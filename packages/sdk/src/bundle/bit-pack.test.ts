import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random-bundle.ts';
import {
  bitsFor,
  packBits,
  packRows,
  packedByteLength,
  rowPackedByteLength,
  unpackBits,
  unpackRows,
} from './bit-pack.ts';

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

describe('row packing', () => {
  it('round-trips matrices with narrow and wide rows mixed, at every width pair', () => {
    const rand = seededRandom(11);
    for (const [bits, narrowBits] of [
      [2, 1],
      [5, 3],
      [8, 4],
      [8, 7],
      [9, 6],
      [16, 1],
    ] as const) {
      for (const [rows, cols] of [
        [0, 3],
        [1, 1],
        [7, 3],
        [101, 4],
      ] as const) {
        // Rows drawn narrow or wide at random: about half fit narrowBits everywhere.
        const values = new Uint16Array(rows * cols);
        let expectedNarrow = 0;
        for (let r = 0; r < rows; r++) {
          const width = rand() < 0.5 ? narrowBits : bits;
          for (let c = 0; c < cols; c++) values[r * cols + c] = Math.floor(rand() * 2 ** width);
          if (values.subarray(r * cols, (r + 1) * cols).every((x) => x < 2 ** narrowBits)) expectedNarrow++;
        }
        const { bytes, narrowRows } = packRows(values, cols, bits, narrowBits);
        expect(narrowRows).toBe(expectedNarrow);
        expect(bytes.byteLength).toBe(rowPackedByteLength(rows, { cols, bits, narrowBits, narrowRows }));
        const back = new Uint16Array(rows * cols);
        expect(unpackRows(bytes, { cols, bits, narrowBits }, back)).toBe(narrowRows);
        expect(back).toEqual(values);
      }
    }
  });

  it('stores a flag bit per row, then the row at its width, LSB first', () => {
    // rows [1, 2] (fit 2 bits) and [5, 0] (need 3). Bits in order: flag 1, 1→10, 2→01, flag 0,
    // 5→101, 0→000 = 1,1,0,0,1,0,1,0 | 1,0,0,0 → bytes 0b01010011, 0b0001.
    expect([...packRows([1, 2, 5, 0], 2, 3, 2).bytes]).toEqual([0b01010011, 0b0001]);
  });

  it('saves the bits MGQE promises: tail rows at the narrow width', () => {
    // 1,000 items × 4 codes, K = 32 (5 bits); 900 tail items restricted to 8 codewords (3 bits).
    const wide = packedByteLength(4000, 5);
    const rowPacked = rowPackedByteLength(1000, { cols: 4, bits: 5, narrowBits: 3, narrowRows: 900 });
    expect(wide).toBe(2500);
    expect(rowPacked).toBe(Math.ceil((1000 + 100 * 20 + 900 * 12) / 8));
  });

  it('refuses bad widths and values that fit neither width', () => {
    expect(() => packRows([1, 2, 3], 3, 5, 5)).toThrow(/narrowBits must be 1..4/);
    expect(() => packRows([1, 2, 3], 2, 5, 3)).toThrow(/not rows of 2/);
    expect(() => packRows([1, 40, 3], 3, 5, 3)).toThrow(/value 40 at position 1 does not fit in 5 bits/);
  });
});
