// The tensor-train item tables (tt.ts, sttd.ts) against literal readings of docs/model.md.
import { describe, expect, it } from 'vitest';
import type { ModelBundle, TypedArray } from '../../../bundle/types.ts';
import { seededRandom } from '../../../testing/random-bundle.ts';
import { ModelHyperError, ModelTensorError } from '../../errors.ts';
import type { ItemTable } from './types.ts';
import { scoreRange, splitRanges } from '../parallel/range-scoring.ts';
import { sharedAllocator } from '../parallel/score-pool.ts';
import {
  createTtTable,
  createTtTableFromCores,
  ttCoreShape,
  ttGeometry,
  ttParamCount,
  ttReconstructionMacs,
  type TtGeometry,
} from './tt.ts';
import {
  createSttdTableFromCores,
  sttdG1Shape,
  sttdG2Shape,
  sttdGeometry,
  sttdParamCount,
  sttdReconstructionMacs,
  type SttdGeometry,
} from './sttd.ts';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function randomCores(g: TtGeometry, seed: number): Float32Array[] {
  const rand = seededRandom(seed);
  return g.p.map((_, k) => Float32Array.from({ length: size(ttCoreShape(g, k)) }, () => rand() * 2 - 1));
}

/** docs/model.md read literally: sum over every rank path r_1 … r_{d−1} of the product of core entries. */
function naiveRow(g: TtGeometry, cores: Float32Array[], index: number): Float64Array {
  const d = g.p.length;
  const digits: number[] = [];
  for (let k = d - 1, rest = index; k >= 0; k--) {
    digits[k] = rest % g.p[k];
    rest = Math.floor(rest / g.p[k]);
  }
  const at = (k: number, r: number, i: number, j: number, r2: number) => {
    const [, p, q, R2] = ttCoreShape(g, k);
    return cores[k][((r * p + i) * q + j) * R2 + r2];
  };
  const row = new Float64Array(g.dim);
  for (let n = 0; n < g.dim; n++) {
    const j: number[] = [];
    for (let k = d - 1, rest = n; k >= 0; k--) {
      j[k] = rest % g.q[k];
      rest = Math.floor(rest / g.q[k]);
    }
    const walk = (k: number, r: number): number => {
      if (k === d) return 1;
      let s = 0;
      for (let r2 = 0; r2 < g.ranks[k + 1]; r2++) s += at(k, r, digits[k], j[k], r2) * walk(k + 1, r2);
      return s;
    };
    row[n] = walk(0, 0);
  }
  return row;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-5) {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > rel * scale)
      expect.fail(`entry ${i}: ${actual[i]} vs ${expected[i]} (scale ${scale})`);
  }
}

const shapes: { name: string; V: number; p: number[]; q: number[]; ranks: number[] }[] = [
  { name: 'd=3, V fills ∏p', V: 60, p: [3, 4, 5], q: [2, 3, 2], ranks: [3, 4] },
  { name: 'd=3, V short of ∏p (padding never read)', V: 53, p: [3, 4, 5], q: [4, 2, 2], ranks: [5, 2] },
  { name: 'd=2', V: 37, p: [7, 6], q: [4, 4], ranks: [6] },
  { name: 'd=4, unequal ranks', V: 100, p: [2, 3, 4, 5], q: [2, 2, 1, 3], ranks: [2, 5, 3] },
  { name: 'd=1 (a plain table)', V: 9, p: [10], q: [6], ranks: [] },
];

describe('tt item table (CPU reconstruction)', () => {
  for (const s of shapes) {
    it(`embedInto = the contract's chain product: ${s.name}`, () => {
      const g = ttGeometry(s.V, size(s.q), s.p, s.q, s.ranks);
      const cores = randomCores(g, s.V);
      const table = createTtTableFromCores(g, cores);
      const out = new Float32Array(g.dim + 3);
      for (const i of [0, 1, s.V - 1, Math.floor(s.V / 2), s.p[s.p.length - 1]]) {
        if (i >= s.V) continue;
        table.embedInto(i, out, 3);
        expectClose(out.subarray(3), naiveRow(g, cores, i));
      }
    });

    it(`scoreAll = reconstruct-then-dot over all items: ${s.name}`, () => {
      const g = ttGeometry(s.V, size(s.q), s.p, s.q, s.ranks);
      const cores = randomCores(g, s.V + 1);
      const table = createTtTableFromCores(g, cores);
      const rand = seededRandom(7);
      const theta = Float32Array.from({ length: g.dim }, () => rand() * 2 - 1);
      const scores = new Float32Array(s.V);
      table.scoreAll(theta, scores);
      const expected = new Float64Array(s.V);
      const row = new Float32Array(g.dim);
      for (let i = 0; i < s.V; i++) {
        table.embedInto(i, row, 0);
        for (let n = 0; n < g.dim; n++) expected[i] += theta[n] * row[n];
      }
      expectClose(scores, expected);
    });
  }

  it('counts the issue configurations: Tmall 172,176 parameters (30.3×), RetailRocket 29.9×', () => {
    const tmall = ttGeometry(40727, 128, [30, 34, 40], [4, 4, 8], [34, 34]);
    expect(ttParamCount(tmall)).toBe(172176);
    expect((40727 * 128) / ttParamCount(tmall)).toBeCloseTo(30.28, 2);
    const rr = ttGeometry(36968, 256, [25, 37, 40], [4, 8, 8], [32, 32]);
    expect(ttParamCount(rr)).toBe(3200 + 303104 + 10240);
    expect((36968 * 256) / ttParamCount(rr)).toBeCloseTo(29.9, 1);
  });

  it('counts reconstruction work: middle products once per prefix, the last stage once per item', () => {
    const g = ttGeometry(53, 16, [3, 4, 5], [4, 2, 2], [5, 2]);
    // stage 1: 4 rows · R1 5 · q1 2 · R2 2 = 80; stage 2: 8 rows · R2 2 · q2 2 · 1 = 32.
    expect(ttReconstructionMacs(g)).toEqual({ perItem: 112, catalogue: Math.ceil(53 / 5) * 80 + 53 * 32 });
  });

  it('rejects inconsistent configurations, naming the field', () => {
    expect(() => ttGeometry(61, 12, [3, 4, 5], [2, 3, 2], [3, 4])).toThrow(/ttP.*< numItems/);
    expect(() => ttGeometry(60, 13, [3, 4, 5], [2, 3, 2], [3, 4])).toThrow(ModelHyperError);
    expect(() => ttGeometry(60, 12, [3, 4, 5], [2, 3, 2], [3])).toThrow(/ttRanks/);
    expect(() => ttGeometry(60, 12, [3, 4, 5], [2, 3, 2], [3, 0])).toThrow(/ttRanks/);
  });

  it('reads its cores from a bundle and names a mis-shaped core', () => {
    const g = ttGeometry(20, 4, [4, 5], [2, 2], [3]);
    const cores = randomCores(g, 3);
    const bundle = (shape1: number[]): ModelBundle => ({
      manifest: {
        format: 'session-rec-bundle',
        formatVersion: 1,
        kind: 'tt',
        version: 'test',
        createdAt: '',
        hyper: { numItems: 20, maxLen: 5, dim: 4, ttP: [4, 5], ttQ: [2, 2], ttRanks: [3] },
        vocabulary: { type: 'range', first: 1, count: 20 },
        tensors: [],
        files: [],
      },
      tensors: new Map<string, { dtype: 'float32'; shape: number[]; data: TypedArray }>([
        ['tt.core0', { dtype: 'float32', shape: ttCoreShape(g, 0), data: cores[0] }],
        ['tt.core1', { dtype: 'float32', shape: shape1, data: cores[1] }],
      ]),
      itemIds: (i) => String(i + 1),
      itemIndex: (id) => Number(id) - 1,
    });
    const table = createTtTable(bundle(ttCoreShape(g, 1)));
    const a = new Float32Array(4);
    const b = new Float32Array(4);
    table.embedInto(13, a, 0);
    createTtTableFromCores(g, cores).embedInto(13, b, 0);
    expect(a).toEqual(b);
    expect(() => createTtTable(bundle([3, 5, 1, 2]))).toThrow(ModelTensorError);
    expect(() => createTtTable(bundle([3, 5, 1, 2]))).toThrow(/tt\.core1/);
  });
});

function randomSttdCores(g: SttdGeometry, seed: number): [Float32Array, Float32Array] {
  const rand = seededRandom(seed);
  const fill = ([a, b]: [number, number]) => Float32Array.from({ length: a * b }, () => rand() * 2 - 1);
  return [fill(sttdG1Shape(g)), fill(sttdG2Shape(g))];
}

/**
 * The whole-table form of docs/model.md, built literally: X = G1 · (G2 ⊗ I_t) as an explicit
 * [I1·J1, I2·J2] matrix, then e(i)[j1·J2 + j2] = X[i1·J1 + j1, i2·J2 + j2].
 */
function naiveSttdTable(g: SttdGeometry, g1: Float32Array, g2: Float32Array): (i: number) => Float64Array {
  const [I1, I2] = g.I;
  const [J1, J2] = g.J;
  const { rank: R, t } = g;
  const [kRows, kCols] = [R, ((I2 * J2) / t) * t];
  const g2Cols = (I2 * J2) / t;
  const kron = new Float64Array(kRows * kCols); // (G2 ⊗ I_t)[r·t + a, c·t + b] = G2[r, c]·δ(a, b)
  for (let r = 0; r < R / t; r++) {
    for (let c = 0; c < g2Cols; c++) {
      for (let a = 0; a < t; a++) kron[(r * t + a) * kCols + c * t + a] = g2[r * g2Cols + c];
    }
  }
  const X = new Float64Array(I1 * J1 * kCols);
  for (let row = 0; row < I1 * J1; row++) {
    for (let k = 0; k < R; k++) {
      const a = g1[row * R + k];
      for (let col = 0; col < kCols; col++) X[row * kCols + col] += a * kron[k * kCols + col];
    }
  }
  return (i) => {
    const i1 = Math.floor(i / I2);
    const i2 = i % I2;
    const e = new Float64Array(J1 * J2);
    for (let j1 = 0; j1 < J1; j1++) {
      for (let j2 = 0; j2 < J2; j2++) e[j1 * J2 + j2] = X[(i1 * J1 + j1) * kCols + i2 * J2 + j2];
    }
    return e;
  };
}

const sttdShapes = [
  { name: 'V fills I1·I2, t = 2', V: 35, I: [5, 7], J: [4, 4], R: 6, t: 2 },
  { name: 'V short of I1·I2 (padding never read)', V: 31, I: [5, 7], J: [2, 6], R: 4, t: 2 },
  { name: 't = 3', V: 40, I: [8, 5], J: [3, 6], R: 9, t: 3 },
  { name: 't = 1 (plain two-core TT)', V: 12, I: [3, 4], J: [5, 2], R: 3, t: 1 },
];

describe('sttd item table (CPU reconstruction)', () => {
  for (const s of sttdShapes) {
    it(`embedInto = the whole-table product G1 (G2 ⊗ I_t): ${s.name}`, () => {
      const g = sttdGeometry(s.V, s.J[0] * s.J[1], s.I, s.J, s.R, s.t);
      const [g1, g2] = randomSttdCores(g, s.V);
      const table = createSttdTableFromCores(g, g1, g2);
      const naive = naiveSttdTable(g, g1, g2);
      const out = new Float32Array(g.dim + 2);
      for (let i = 0; i < s.V; i++) {
        out.fill(123); // stale values must be overwritten
        table.embedInto(i, out, 2);
        expectClose(out.subarray(2), naive(i));
      }
    });

    it(`scoreAll = reconstruct-then-dot over all items: ${s.name}`, () => {
      const g = sttdGeometry(s.V, s.J[0] * s.J[1], s.I, s.J, s.R, s.t);
      const [g1, g2] = randomSttdCores(g, s.V + 5);
      const naive = naiveSttdTable(g, g1, g2);
      const rand = seededRandom(3);
      const theta = Float32Array.from({ length: g.dim }, () => rand() * 2 - 1);
      const scores = new Float32Array(s.V);
      createSttdTableFromCores(g, g1, g2).scoreAll(theta, scores);
      const expected = Array.from({ length: s.V }, (_, i) =>
        naive(i).reduce((acc, x, n) => acc + x * theta[n], 0),
      );
      expectClose(scores, expected);
    });
  }

  it('counts the issue configurations per Eq. 8: Tmall 30.3×, RetailRocket 30.2×', () => {
    const tmall = sttdGeometry(40727, 128, [169, 241], [16, 8], 54, 2);
    expect(sttdParamCount(tmall)).toBe(169 * 16 * 54 + 27 * ((241 * 8) / 2));
    expect((40727 * 128) / sttdParamCount(tmall)).toBeCloseTo(30.3, 1);
    const rr = sttdGeometry(36968, 256, [117, 316], [16, 16], 100, 2);
    expect((36968 * 256) / sttdParamCount(rr)).toBeCloseTo(30.2, 1);
    expect(sttdReconstructionMacs(tmall).perItem).toBe(128 * 27);
  });

  it('rejects inconsistent configurations, naming the field', () => {
    expect(() => sttdGeometry(36, 16, [5, 7], [4, 4], 6, 2)).toThrow(/sttdI/);
    expect(() => sttdGeometry(35, 16, [5, 7], [4, 4], 5, 2)).toThrow(/sttdRank/);
    expect(() => sttdGeometry(35, 15, [5, 7], [5, 3], 6, 2)).toThrow(/sttdJ/);
    expect(() => sttdGeometry(35, 16, [5, 7], [4, 4, 1], 6, 2)).toThrow(ModelHyperError);
  });
});

describe('row modes: per-query, cached (the default), materialized', () => {
  const ttCase = () => {
    const g = ttGeometry(53, 16, [3, 4, 5], [4, 2, 2], [5, 2]);
    const cores = randomCores(g, 11);
    return (rows?: 'per-query' | 'cached' | 'materialized') =>
      createTtTableFromCores(g, cores, rows ? { rows } : {});
  };
  const sttdCase = () => {
    const g = sttdGeometry(31, 12, [5, 7], [2, 6], 4, 2);
    const [g1, g2] = randomSttdCores(g, 12);
    return (rows?: 'per-query' | 'cached' | 'materialized') =>
      createSttdTableFromCores(g, g1, g2, rows ? { rows } : {});
  };
  for (const [kind, make] of [
    ['tt', ttCase],
    ['sttd', sttdCase],
  ] as const) {
    it(`${kind}: materialized rows give bit-identical scores and rows to per-query reconstruction`, () => {
      const table = make();
      expectSameTables(table('per-query'), table('materialized'));
    });

    it(`${kind}: cached rows (the default) — rows before the first scoreAll, then scores and rows bit-identical`, () => {
      const table = make();
      const perQuery = table('per-query');
      const cached = table();
      // embedInto before any scoreAll reconstructs from the cores.
      const ra = new Float32Array(perQuery.dim);
      const rb = new Float32Array(perQuery.dim);
      for (const i of [0, 7, perQuery.numItems - 1]) {
        perQuery.embedInto(i, ra, 0);
        cached.embedInto(i, rb, 0);
        expect(rb).toEqual(ra);
      }
      // The first scoreAll builds the cache while it scores; later ones read it.
      expectSameTables(perQuery, cached);
    });

    it(`${kind}: cached rows shared with scoring threads — ranges scored apart give per-query's scores`, () => {
      const table = make();
      const perQuery = table('per-query');
      const shared = table().shareScoring!(sharedAllocator); // builds the rows into shared memory
      const rand = seededRandom(8);
      const theta = Float32Array.from({ length: perQuery.dim }, () => rand() * 2 - 1);
      const input = Float64Array.from(theta);
      shared.prepare(theta, input);
      const expected = new Float32Array(perQuery.numItems);
      perQuery.scoreAll(theta, expected);
      const scores = new Float32Array(perQuery.numItems);
      const q = {
        input,
        k: 5,
        exclude: undefined,
        boosts: { count: 0, indices: [], values: [], scoreWeight: 0 },
      };
      for (const [a, b] of splitRanges(perQuery.numItems, 3))
        scoreRange(shared.scorer, undefined, q, scores, a, b);
      expect(scores).toEqual(expected);
    });
  }
});

function expectSameTables(a: ItemTable, b: ItemTable) {
  const rand = seededRandom(5);
  for (let q = 0; q < 3; q++) {
    const theta = Float32Array.from({ length: a.dim }, () => rand() * 2 - 1);
    const sa = new Float32Array(a.numItems);
    const sb = new Float32Array(a.numItems);
    a.scoreAll(theta, sa);
    b.scoreAll(theta, sb);
    expect(sb).toEqual(sa);
  }
  const ra = new Float32Array(a.dim);
  const rb = new Float32Array(a.dim);
  for (let i = 0; i < a.numItems; i++) {
    a.embedInto(i, ra, 0);
    b.embedInto(i, rb, 0);
    expect(rb).toEqual(ra);
  }
}
