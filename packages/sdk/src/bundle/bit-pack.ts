// Bit-packed integer tensors: `bits` bits per value, least significant bit first, values back to back
// across byte boundaries. A code matrix with K = 32 needs 5 bits per code, not the 8 of a Uint8Array
// (Tmall, M = 4: 101,818 bytes instead of 162,908). Readers unpack at load time, so engines never see it.
// Row packing adds a second, narrower width for the rows whose values all fit it (MGQE: tail items that
// may only use the first K_tail codewords of each codebook need log2 K_tail bits per code, not log2 K).

/** Bytes that `count` values of `bits` bits occupy. */
export function packedByteLength(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8);
}

/** The smallest bit width that holds every value below `bound` (at least 1). */
export function bitsFor(bound: number): number {
  let bits = 1;
  while (2 ** bits < bound) bits++;
  return bits;
}

/** Packs non-negative integers, each < 2^bits; throws a RangeError naming the first that is not. */
export function packBits(values: ArrayLike<number>, bits: number): Uint8Array {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16)
    throw new RangeError(`bits must be 1..16, got ${bits}`);
  const out = new Uint8Array(packedByteLength(values.length, bits));
  const limit = 2 ** bits;
  let bitPos = 0;
  for (let i = 0; i < values.length; i++, bitPos += bits) {
    const value = values[i]!;
    if (!Number.isInteger(value) || value < 0 || value >= limit)
      throw new RangeError(`value ${value} at position ${i} does not fit in ${bits} bits`);
    writeBits(out, bitPos, value, bits);
  }
  return out;
}

/** ORs `value` (< 2^bits) into `out` at bit `bitPos`, spread over the (at most three) bytes it touches. */
function writeBits(out: Uint8Array, bitPos: number, value: number, bits: number): void {
  for (let done = 0; done < bits;) {
    const byte = (bitPos + done) >> 3;
    const shift = (bitPos + done) & 7;
    const take = Math.min(8 - shift, bits - done);
    out[byte]! |= ((value >> done) & ((1 << take) - 1)) << shift;
    done += take;
  }
}

/** The `bits`-bit value at bit `bitPos`; three bytes cover ≤ 16 bits at any shift, bytes past the end read 0. */
function readBits(bytes: Uint8Array, bitPos: number, bits: number): number {
  const byte = bitPos >> 3;
  const word = (bytes[byte] ?? 0) | ((bytes[byte + 1] ?? 0) << 8) | ((bytes[byte + 2] ?? 0) << 16);
  return (word >> (bitPos & 7)) & ((1 << bits) - 1);
}

/** Unpacks `count` values of `bits` bits into `target` (a Uint8Array or Uint16Array of length `count`). */
export function unpackBits<T extends Uint8Array | Uint16Array>(
  bytes: Uint8Array,
  bits: number,
  target: T,
): T {
  for (let i = 0, bitPos = 0; i < target.length; i++, bitPos += bits)
    target[i] = readBits(bytes, bitPos, bits);
  return target;
}

/** Row packing of a [rows × cols] matrix: the widths, and how many rows are stored narrow. */
export interface RowPacking {
  cols: number;
  bits: number;
  narrowBits: number;
  narrowRows: number;
}

/** Bytes of a row-packed matrix: one flag bit per row, then its values at `narrowBits` or `bits`. */
export function rowPackedByteLength(rows: number, p: RowPacking): number {
  const wideBits = (rows - p.narrowRows) * p.cols * p.bits;
  return Math.ceil((rows + wideBits + p.narrowRows * p.cols * p.narrowBits) / 8);
}

/**
 * Packs a row-major matrix row by row: flag bit 1 and every value at `narrowBits` when the whole row fits
 * them, else flag 0 and `bits` per value. Throws a RangeError naming the first value that fits neither.
 */
export function packRows(
  values: ArrayLike<number>,
  cols: number,
  bits: number,
  narrowBits: number,
): { bytes: Uint8Array; narrowRows: number } {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16)
    throw new RangeError(`bits must be 2..16 for row packing, got ${bits}`);
  if (!Number.isInteger(narrowBits) || narrowBits < 1 || narrowBits >= bits)
    throw new RangeError(`narrowBits must be 1..${bits - 1}, got ${narrowBits}`);
  if (!Number.isInteger(cols) || cols < 1 || values.length % cols !== 0)
    throw new RangeError(`${values.length} values are not rows of ${cols}`);
  const rows = values.length / cols;
  const fits = (limit: number, r: number): boolean => {
    for (let c = 0; c < cols; c++) if (values[r * cols + c]! >= limit) return false;
    return true;
  };
  const narrow = Array.from({ length: rows }, (_, r) => fits(2 ** narrowBits, r));
  const narrowRows = narrow.filter(Boolean).length;
  const out = new Uint8Array(rowPackedByteLength(rows, { cols, bits, narrowBits, narrowRows }));
  const limit = 2 ** bits;
  let bitPos = 0;
  for (let r = 0; r < rows; r++) {
    writeBits(out, bitPos++, narrow[r] ? 1 : 0, 1);
    const width = narrow[r] ? narrowBits : bits;
    for (let c = 0; c < cols; c++, bitPos += width) {
      const i = r * cols + c;
      const value = values[i]!;
      if (!Number.isInteger(value) || value < 0 || value >= limit)
        throw new RangeError(`value ${value} at position ${i} does not fit in ${bits} bits`);
      writeBits(out, bitPos, value, width);
    }
  }
  return { bytes: out, narrowRows };
}

/**
 * Unpacks a row-packed matrix into `target` (rows · cols values); returns how many rows were flagged
 * narrow, for the caller to check against the manifest.
 */
export function unpackRows<T extends Uint8Array | Uint16Array>(
  bytes: Uint8Array,
  p: Omit<RowPacking, 'narrowRows'>,
  target: T,
): number {
  const { cols, bits, narrowBits } = p;
  let narrowRows = 0;
  let bitPos = 0;
  for (let i = 0; i < target.length;) {
    const narrow = readBits(bytes, bitPos++, 1) === 1;
    if (narrow) narrowRows++;
    const width = narrow ? narrowBits : bits;
    for (let c = 0; c < cols; c++, bitPos += width) target[i++] = readBits(bytes, bitPos, width);
  }
  return narrowRows;
}
