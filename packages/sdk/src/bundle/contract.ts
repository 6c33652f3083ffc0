// The model contract (docs/model.md) as checks on a manifest: which hyper-parameters and tensors each
// bundle kind must have, with which dtypes and shapes. Engines can then index tensors without checking.
import { BundleSchemaError, BundleShapeError } from './errors.ts';
import {
  checkSttdGeometry,
  checkTtGeometry,
  sttdG1Shape,
  sttdG2Shape,
  ttCoreShape,
} from './tensor-train-shapes.ts';
import {
  POPULARITY_PRIOR_TENSOR,
  REPEAT_RECENCY_TENSOR,
  REPEAT_WEIGHTS_TENSOR,
  type DType,
  type Manifest,
  type ModelHyper,
  type ModelKind,
  type TensorEntry,
} from './types.ts';

const FLOAT: readonly DType[] = ['float32', 'float16', 'int8'];

/** A dimension: a number, or a name bound by its first use (e.g. the FFN width `H`). */
type Dim = number | string;

interface TensorRequirement {
  name: string;
  dtypes: readonly DType[];
  shape: Dim[];
}

/** Popularity order for an empty session: P = V for `popularity` bundles, at least min(1000, V) otherwise. */
export const MIN_POPULARITY_LENGTH = 1000;

function schemaError(message: string): BundleSchemaError {
  return new BundleSchemaError(message, { file: 'manifest.json' });
}

/** A tensor-train factorisation that does not fit numItems / dim (bundle/tensor-train-shapes.ts). */
function factorisationError(field: string, problem: string): BundleSchemaError {
  return schemaError(`manifest.json: hyper.${field}: ${problem}`);
}

function positiveInt(hyper: ModelHyper, field: string): number {
  const value = hyper[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw schemaError(
      `manifest.json: hyper.${field} must be a positive integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function positiveNumber(hyper: ModelHyper, field: string): number {
  const value = hyper[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw schemaError(
      `manifest.json: hyper.${field} must be a positive number, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function positiveIntList(hyper: ModelHyper, field: string, length?: number): number[] {
  const value = hyper[field];
  const ok =
    Array.isArray(value) &&
    value.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 1) &&
    (length === undefined || value.length === length);
  if (!ok) {
    const what = length === undefined ? 'a list of positive integers' : `${length} positive integers`;
    throw schemaError(`manifest.json: hyper.${field} must be ${what}, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

function encoderRequirements(hyper: ModelHyper): TensorRequirement[] {
  const N = positiveInt(hyper, 'dim');
  const heads = positiveInt(hyper, 'heads');
  const blocks = positiveInt(hyper, 'blocks');
  positiveNumber(hyper, 'embScale');
  positiveNumber(hyper, 'layerNormEps');
  if (N % heads !== 0)
    throw schemaError(`manifest.json: hyper.dim (${N}) is not a multiple of heads (${heads})`);
  const req = (name: string, shape: Dim[]): TensorRequirement => ({ name, dtypes: FLOAT, shape });
  const out = [req('pos', [hyper.maxLen, N])];
  for (let b = 0; b < blocks; b++) {
    const p = `block${b}.`;
    out.push(req(`${p}attn_ln.gamma`, [N]), req(`${p}attn_ln.beta`, [N]));
    for (const m of ['q', 'k', 'v', 'o']) out.push(req(`${p}attn.w${m}`, [N, N]), req(`${p}attn.b${m}`, [N]));
    out.push(req(`${p}ffn_ln.gamma`, [N]), req(`${p}ffn_ln.beta`, [N]));
    // The FFN width is free (SASRec uses N); it only has to agree across the four tensors of one block.
    const H = `${p}ffn width`;
    out.push(
      req(`${p}ffn.w1`, [N, H]),
      req(`${p}ffn.b1`, [H]),
      req(`${p}ffn.w2`, [H, N]),
      req(`${p}ffn.b2`, [N]),
    );
  }
  out.push(req('final_ln.gamma', [N]), req('final_ln.beta', [N]));
  out.push(
    req('readout.w1', [N, N]),
    req('readout.w2', [N, N]),
    req('readout.c', [N]),
    req('readout.f', [N]),
  );
  return out;
}

function itemTableRequirements(kind: ModelKind, hyper: ModelHyper): TensorRequirement[] {
  const V = hyper.numItems;
  switch (kind) {
    case 'popularity':
      return [{ name: 'counts', dtypes: ['float32'], shape: [V] }];
    case 'full':
      return [{ name: 'items', dtypes: FLOAT, shape: [V, positiveInt(hyper, 'dim')] }];
    case 'compositional': {
      const M = positiveInt(hyper, 'M');
      const K = positiveInt(hyper, 'K');
      if (K > 65536) throw schemaError(`manifest.json: hyper.K (${K}) exceeds 65536, the uint16 code range`);
      // The smallest integer type that holds K codes (SPEC §4).
      const codeType: DType = K <= 256 ? 'uint8' : 'uint16';
      return [
        { name: 'codes', dtypes: [codeType], shape: [V, M] },
        { name: 'codebooks', dtypes: FLOAT, shape: [M, K, positiveInt(hyper, 'dim')] },
      ];
    }
    case 'tt': {
      const p = positiveIntList(hyper, 'ttP');
      const d = p.length;
      const g = checkTtGeometry(
        V,
        positiveInt(hyper, 'dim'),
        p,
        positiveIntList(hyper, 'ttQ', d),
        positiveIntList(hyper, 'ttRanks', d - 1),
        factorisationError,
      );
      return p.map((_, k) => ({ name: `tt.core${k}`, dtypes: FLOAT, shape: ttCoreShape(g, k) }));
    }
    case 'sttd': {
      const g = checkSttdGeometry(
        V,
        positiveInt(hyper, 'dim'),
        positiveIntList(hyper, 'sttdI', 2),
        positiveIntList(hyper, 'sttdJ', 2),
        positiveInt(hyper, 'sttdRank'),
        positiveInt(hyper, 'sttdT'),
        factorisationError,
      );
      return [
        { name: 'sttd.g1', dtypes: FLOAT, shape: sttdG1Shape(g) },
        { name: 'sttd.g2', dtypes: FLOAT, shape: sttdG2Shape(g) },
      ];
    }
  }
}

/**
 * The tensors of an optional part of the head (names starting with `prefix`), after the checks every part
 * shares: encoder kinds only (it adds to θ·e), and a format version that knows it.
 */
function optionalPartTensors(
  manifest: Pick<Manifest, 'kind' | 'tensors' | 'formatVersion'>,
  prefix: string,
  part: string,
  sinceVersion: number,
): string[] {
  const present = manifest.tensors.filter((t) => t.name.startsWith(prefix)).map((t) => t.name);
  if (present.length === 0) return present;
  if (manifest.kind === 'popularity') {
    throw schemaError(
      `manifest.json: a 'popularity' bundle has no session encoder, so no ${part} ('${present[0]}')`,
    );
  }
  if (manifest.formatVersion < sinceVersion) {
    throw schemaError(
      `manifest.json: tensor '${present[0]}' is a ${part}, which needs formatVersion ≥ ${sinceVersion}, not ${manifest.formatVersion}`,
    );
  }
  return present;
}

/** The optional session-repeat head (docs/model.md): both tensors or neither, encoder kinds only, format ≥ 3. */
function repeatHeadRequirements(
  manifest: Pick<Manifest, 'kind' | 'tensors' | 'formatVersion'>,
): TensorRequirement[] {
  const present = optionalPartTensors(manifest, 'repeat.', 'repeat head', 3);
  if (present.length === 0) return [];
  const known = [REPEAT_RECENCY_TENSOR, REPEAT_WEIGHTS_TENSOR];
  const unknown = present.find((name) => !known.includes(name));
  if (unknown !== undefined) throw schemaError(`manifest.json: unknown repeat-head tensor '${unknown}'`);
  const recency = manifest.tensors.find((t) => t.name === REPEAT_RECENCY_TENSOR);
  if (recency !== undefined && recency.shape.length === 1 && recency.shape[0] < 1) {
    throw new BundleShapeError(`tensor '${REPEAT_RECENCY_TENSOR}': needs at least one recency bias`, {
      file: 'manifest.json',
      tensor: REPEAT_RECENCY_TENSOR,
    });
  }
  return [
    { name: REPEAT_RECENCY_TENSOR, dtypes: ['float32'], shape: ['repeat ranks'] },
    { name: REPEAT_WEIGHTS_TENSOR, dtypes: ['float32'], shape: [3] },
  ];
}

/** The optional popularity prior (docs/model.md): [weight, depth], encoder kinds only, format ≥ 4. */
function popularityPriorRequirements(
  manifest: Pick<Manifest, 'kind' | 'tensors' | 'formatVersion'>,
): TensorRequirement[] {
  const present = optionalPartTensors(manifest, 'prior.', 'popularity prior', 4);
  if (present.length === 0) return [];
  const unknown = present.find((name) => name !== POPULARITY_PRIOR_TENSOR);
  if (unknown !== undefined) throw schemaError(`manifest.json: unknown prior tensor '${unknown}'`);
  return [{ name: POPULARITY_PRIOR_TENSOR, dtypes: ['float32'], shape: [2] }];
}

/**
 * Throws BundleSchemaError for missing hyper-parameters or tensors, BundleShapeError for a tensor whose
 * dtype or shape breaks the contract.
 */
export function checkContract(
  manifest: Pick<Manifest, 'kind' | 'hyper' | 'tensors' | 'formatVersion'>,
): void {
  const { kind, hyper } = manifest;
  const byName = new Map<string, TensorEntry>(manifest.tensors.map((t) => [t.name, t]));
  const V = hyper.numItems;
  const popularityLength: Dim = kind === 'popularity' ? V : 'popularity length';
  const requirements: TensorRequirement[] = [
    { name: 'popularity', dtypes: ['uint32'], shape: [popularityLength] },
    ...itemTableRequirements(kind, hyper),
    ...(kind === 'popularity' ? [] : encoderRequirements(hyper)),
    ...repeatHeadRequirements(manifest),
    ...popularityPriorRequirements(manifest),
  ];
  const bound = new Map<string, number>();
  for (const req of requirements) {
    const entry = byName.get(req.name);
    if (!entry) {
      throw new BundleSchemaError(
        `manifest.json: a '${kind}' bundle needs tensor '${req.name}', which is missing`,
        {
          file: 'manifest.json',
          tensor: req.name,
        },
      );
    }
    const where = { file: 'manifest.json', tensor: req.name };
    if (!req.dtypes.includes(entry.dtype)) {
      throw new BundleShapeError(
        `tensor '${req.name}': dtype ${entry.dtype}, the contract allows ${req.dtypes.join(' or ')}`,
        where,
      );
    }
    const ok =
      entry.shape.length === req.shape.length &&
      req.shape.every((dim, i) => {
        const actual = entry.shape[i];
        if (typeof dim === 'number') return actual === dim;
        const seen = bound.get(dim);
        if (seen === undefined) bound.set(dim, actual);
        return seen === undefined || seen === actual;
      });
    if (!ok) {
      const expected = req.shape.map((d) => (typeof d === 'number' ? d : (bound.get(d) ?? d))).join(', ');
      throw new BundleShapeError(
        `tensor '${req.name}': shape [${entry.shape.join(', ')}], expected [${expected}]`,
        where,
      );
    }
  }
  if (kind !== 'popularity') {
    const P = byName.get('popularity')!.shape[0];
    const minimum = Math.min(MIN_POPULARITY_LENGTH, V);
    if (P < minimum || P > V) {
      throw new BundleShapeError(`tensor 'popularity': length ${P}, expected between ${minimum} and ${V}`, {
        file: 'manifest.json',
        tensor: 'popularity',
      });
    }
  }
}
