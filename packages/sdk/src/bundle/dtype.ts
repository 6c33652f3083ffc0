// Element sizes and typed-array constructors of the bundle dtypes (float16 is stored as Uint16 bits).
import type { DType, TypedArray } from './types.ts';

export const DTYPES: readonly DType[] = ['float32', 'float16', 'int8', 'uint8', 'uint16', 'uint32', 'int32'];

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  float16: 2,
  /** Plus a float32 scale per row (int8.ts: int8ByteLength). */
  int8: 1,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  int32: 4,
};

type StoredArrayConstructor =
  | Float32ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor;

/** The array type that holds a dtype's bytes as stored (float16 → its Uint16 bit patterns; int8 → raw bytes). */
export const STORED_ARRAY: Record<DType, StoredArrayConstructor> = {
  float32: Float32Array,
  float16: Uint16Array,
  int8: Uint8Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  int32: Int32Array,
};

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'int8';
}

/** A typed array of the stored type over `bytes`, copying only when the bytes are not aligned for it. */
export function viewStored(dtype: DType, bytes: Uint8Array): TypedArray {
  const Ctor = STORED_ARRAY[dtype];
  const size = Ctor.BYTES_PER_ELEMENT;
  const length = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, length);
  const copy = new Uint8Array(bytes); // fresh buffer, offset 0: aligned
  return new Ctor(copy.buffer, 0, length);
}

/** The raw bytes of a typed array (a view, no copy). */
export function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
