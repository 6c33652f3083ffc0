// Typed access to a bundle's tensors: the engine checks dtype and shape once, at creation, so the hot
// loops can index plain typed arrays without checks.
import type { DType, ModelBundle, TypedArray } from '../bundle/types.ts';
import { ModelHyperError, ModelTensorError } from './errors.ts';

type ArrayOf<D extends DType> = D extends 'float32' | 'float16'
  ? Float32Array
  : D extends 'uint8'
    ? Uint8Array
    : D extends 'uint16'
      ? Uint16Array
      : D extends 'uint32'
        ? Uint32Array
        : Int32Array;

/**
 * The tensor `name` as a typed array, checked against `dtypes` and `shape` (`-1` = any size).
 * float16 tensors arrive widened to float32 by the codec, so 'float32' accepts both.
 */
export function requireTensor<D extends DType>(
  bundle: ModelBundle,
  name: string,
  dtypes: readonly D[],
  shape: readonly number[],
): ArrayOf<D> {
  const t = bundle.tensors.get(name);
  if (t === undefined) throw new ModelTensorError(name, `missing from the ${bundle.manifest.kind} bundle`);
  const dtypeOk = dtypes.some((d) => d === t.dtype || (d === 'float32' && t.dtype === 'float16'));
  if (!dtypeOk) throw new ModelTensorError(name, `dtype ${t.dtype}, expected ${dtypes.join(' or ')}`);
  const shapeOk = t.shape.length === shape.length && shape.every((s, i) => s === -1 || s === t.shape[i]);
  if (!shapeOk)
    throw new ModelTensorError(
      name,
      `shape [${t.shape.join(', ')}], expected [${shape.map((s) => (s === -1 ? '*' : s)).join(', ')}]`,
    );
  const expected = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== expected)
    throw new ModelTensorError(name, `${t.data.length} values for shape [${t.shape.join(', ')}]`);
  return t.data as TypedArray as ArrayOf<D>;
}

/** The shape of tensor `name` (after requireTensor has checked it exists). */
export function tensorShape(bundle: ModelBundle, name: string): number[] {
  const t = bundle.tensors.get(name);
  if (t === undefined) throw new ModelTensorError(name, `missing from the ${bundle.manifest.kind} bundle`);
  return t.shape;
}

/** A positive integer hyper-parameter. */
export function requireHyperInt(bundle: ModelBundle, field: string): number {
  const v = bundle.manifest.hyper[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ModelHyperError(field, `expected a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A finite number hyper-parameter, with a default when absent. */
export function hyperNumber(bundle: ModelBundle, field: string, fallback: number): number {
  const v = bundle.manifest.hyper[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ModelHyperError(field, `expected a finite number, got ${JSON.stringify(v)}`);
  return v;
}

/** The session encoder's hyper-parameters (docs/model.md), checked the same way by every engine. */
export interface EncoderHyper {
  /** N, the embedding width. */
  dim: number;
  maxLen: number;
  heads: number;
  blocks: number;
  embScale: number;
  layerNormEps: number;
}

/** Reads and checks the encoder's hyper-parameters: no defaults (the contract requires them all). */
export function requireEncoderHyper(bundle: ModelBundle): EncoderHyper {
  const dim = requireHyperInt(bundle, 'dim');
  const maxLen = requireHyperInt(bundle, 'maxLen');
  const heads = requireHyperInt(bundle, 'heads');
  const blocks = requireHyperInt(bundle, 'blocks');
  const embScale = hyperNumber(bundle, 'embScale', NaN);
  const layerNormEps = hyperNumber(bundle, 'layerNormEps', NaN);
  if (Number.isNaN(embScale)) throw new ModelHyperError('embScale', 'missing');
  if (Number.isNaN(layerNormEps) || layerNormEps <= 0)
    throw new ModelHyperError('layerNormEps', 'missing or not positive');
  if (dim % heads !== 0) throw new ModelHyperError('heads', `${heads} does not divide dim ${dim}`);
  return { dim, maxLen, heads, blocks, embScale, layerNormEps };
}
