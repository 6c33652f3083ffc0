// WGSL shared by the radix top-k kernels: the 64-bit ranking key of an item, compared as (hi, lo).
// hi: the score's bits mapped so that unsigned order = float order (negative floats flipped, positive
//     ones with the sign bit set); NaN maps to 0, below every number, as in engine/topk.ts.
// lo: (V − 1) − index, so that among equal scores the lower index has the larger key (the tie rule).
// Every item's key is distinct, so "the k largest keys" is exactly the top-k, ties included.
export function topkKeyWgsl(numItems: number): string {
  return /* wgsl */ `
fn key_hi(s: f32) -> u32 {
  let b = bitcast<u32>(s);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return 0u; }
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}
fn key_lo(i: u32) -> u32 { return ${numItems - 1}u - i; }
`;
}

/** Layout of the radix-select state buffer (u32 words). */
export const STATE = {
  prefixHi: 0,
  prefixLo: 1,
  remaining: 2,
  counter: 3,
  maskHi: 4,
  maskLo: 5,
  words: 8,
} as const;
