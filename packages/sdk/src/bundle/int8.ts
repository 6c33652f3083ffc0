// int8 storage of a float tensor (bundle format version 6): symmetric per-row quantisation. A row is the
// last dimension (a 1-D tensor is one row). Stored: rows float32 scales, then rows × cols int8 values
// q ∈ [−127, 127]; the value is q · scale. Readers dequantise to float32, so engines see plain floats.
// Per element the error is at most scale / 2 = max|row| / 254.
import { BundleShapeError, BundleValueError } from './errors.ts';

/** Rows and columns of a tensor as int8 storage sees it. */
function rowsAndCols(shape: readonly number[]): { rows: number; cols: number } {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  let count = 1;
  for (const d of shape) count *= d;
  return { rows: cols === 0 ? 0 : count / cols, cols };
}

/** Bytes of an int8 tensor: 4 per row (its float32 scale) + 1 per value. */
export function int8ByteLength(shape: readonly number[]): number {
  const { rows, cols } = rowsAndCols(shape);
  return rows * 4 + rows * cols;
}

/** Quantises `data` (row-major, `shape`) row by row: scale = max|row| / 127 (0 for an all-zero row). */
export function encodeInt8(data: Float32Array, shape: readonly number[], name: string): Uint8Array {
  const { rows, cols } = rowsAndCols(shape);
  const out = new Uint8Array(int8ByteLength(shape));
  const scales = new Float32Array(out.buffer, 0, rows);
  const values = new Int8Array(out.buffer, rows * 4, rows * cols);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) {
      const x = data[r * cols + c]!;
      if (!Number.isFinite(x))
        throw new BundleValueError(`tensor '${name}': int8 storage needs finite values, row ${r} has ${x}`, {
          tensor: name,
        });
      max = Math.max(max, Math.abs(x));
    }
    const scale = Math.fround(max / 127);
    scales[r] = scale;
    if (scale === 0) continue;
    for (let c = 0; c < cols; c++)
      values[r * cols + c] = Math.max(-127, Math.min(127, Math.round(data[r * cols + c]! / scale)));
  }
  return out;
}

/** Dequantises an int8 tensor's stored bytes; rejects a wrong length, a bad scale or the value −128. */
export function decodeInt8(
  bytes: Uint8Array,
  shape: readonly number[],
  where: { file?: string; tensor: string },
): Float32Array {
  const { rows, cols } = rowsAndCols(shape);
  const expected = int8ByteLength(shape);
  if (bytes.byteLength !== expected)
    throw new BundleShapeError(
      `tensor '${where.tensor}': int8 [${shape.join(', ')}] needs ${expected} bytes (${rows} float32 row scales + ${rows * cols} values), got ${bytes.byteLength}`,
      where,
    );
  const copy = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes); // scales are read as float32
  const scales = new Float32Array(copy.buffer, copy.byteOffset, rows);
  const values = new Int8Array(copy.buffer, copy.byteOffset + rows * 4, rows * cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const scale = scales[r]!;
    if (!Number.isFinite(scale) || scale < 0)
      throw new BundleValueError(`tensor '${where.tensor}': int8 row ${r} has scale ${scale}`, where);
    for (let c = 0; c < cols; c++) {
      const q = values[r * cols + c]!;
      if (q === -128)
        throw new BundleValueError(
          `tensor '${where.tensor}': int8 value −128 at row ${r} (symmetric storage uses −127 … 127)`,
          where,
        );
      out[r * cols + c] = q * scale;
    }
  }
  return out;
}
