// Bit-packed integer tensors: `bits` bits per value, least significant bit first, values back to back
// across byte boundaries. A code matrix with K = 32 needs 5 bits per code, not the 8 of a Uint8Array
// (Tmall, M = 4: 101,818 bytes instead of 162,908). Readers unpack at load time, so engines never see it.

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
    // Spread the value over the (at most three) bytes it touches.
    for (let done = 0; done < bits;) {
      const byte = (bitPos + done) >> 3;
      const shift = (bitPos + done) & 7;
      const take = Math.min(8 - shift, bits - done);
      out[byte]! |= ((value >> done) & ((1 << take) - 1)) << shift;
      done += take;
    }
  }
  return out;
}

/** Unpacks `count` values of `bits` bits into `target` (a Uint8Array or Uint16Array of length `count`). */
export function unpackBits<T extends Uint8Array | Uint16Array>(
  bytes: Uint8Array,
  bits: number,
  target: T,
): T {
  const mask = (1 << bits) - 1;
  let bitPos = 0;
  for (let i = 0; i < target.length; i++, bitPos += bits) {
    const byte = bitPos >> 3;
    // Three bytes cover any value of ≤ 16 bits at any shift; bytes past the end read as 0.
    const word = bytes[byte]! | ((bytes[byte + 1] ?? 0) << 8) | ((bytes[byte + 2] ?? 0) << 16);
    target[i] = (word >> (bitPos & 7)) & mask;
  }
  return target;
}
