// Agreement statistics on tables worked out by hand, their undefined cases, and the seeded
// item bootstrap of agreement-report.ts.
import { describe, expect, it } from 'vitest'
import {
  cohenKappa,
  completeRaters,
  countTable,
  fleissKappa,
  krippendorffAlpha,
  krippendorffAlphaFromCounts,
  labelPresence,
  type Rating,
} from '../../../../main/ml/eval/agreement'
import {
  agreementReport,
  bootstrapStatistic,
  multiLabelAgreementReport,
} from '../../../../main/ml/eval/agreement-report'
import { percentile } from '../../../../main/ml/eval/bootstrap'
import { CtsError } from '../../../../main/shared/errors'
import { Rng } from '../../../../main/ml/train/rng'

/** Expands a 2×2 table (rows: annotator A yes/no, columns: annotator B yes/no) into label lists. */
function fromTable(yy: number, yn: number, ny: number, nn: number): [Rating[], Rating[]] {
  const a: Rating[] = []
  const b: Rating[] = []
  const add = (n: number, x: number, y: number): void => {
    for (let i = 0; i < n; i++) {
      a.push(x)
      b.push(y)
    }
  }
  add(yy, 1, 1)
  add(yn, 1, 0)
  add(ny, 0, 1)
  add(nn, 0, 0)
  return [a, b]
}

describe("Cohen's κ", () => {
  it('2×2 table by hand', () => {
    //            B yes  B no
    //   A yes     20     5     (A: 25 yes of 50)
    //   A no      10    15     (B: 30 yes of 50)
    // p_o = (20 + 15)/50 = 0.7; p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5)/(1 − 0.5) = 0.4
    const [a, b] = fromTable(20, 5, 10, 15)
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 14)
    expect(cohenKappa(b, a)).toBeCloseTo(0.4, 14)
  })

  it('perfect agreement is 1, chance level 0, systematic disagreement negative', () => {
    expect(cohenKappa([0, 1, 2, 0], [0, 1, 2, 0])).toBe(1)
    // p_o = 1/2 = p_e (both 50/50) → 0
    expect(cohenKappa(...fromTable(1, 1, 1, 1))).toBe(0)
    // p_o = 0, p_e = 1/2 → −1
    expect(cohenKappa(...fromTable(0, 2, 2, 0))).toBe(-1)
  })

  it('uses only texts both annotated', () => {
    expect(cohenKappa([0, 1, null, 1], [0, 1, 0, null])).toBe(1)
  })

  it('is NaN when undefined: one category used by both, or no text in common', () => {
    expect(cohenKappa([0, 0, 0], [0, 0, 0])).toBeNaN()
    expect(cohenKappa([0, null], [null, 1])).toBeNaN()
    expect(cohenKappa([], [])).toBeNaN()
  })

  it('refuses annotators of different lengths', () => {
    expect(() => cohenKappa([0], [0, 1])).toThrow(CtsError)
  })
})

describe("Fleiss' κ", () => {
  // 3 raters, 2 categories: P_i = (Σ n² − 3)/6 → 1, 1, 1/3, 1/3; P̄ = 2/3;
  // p = (6/12, 6/12) → P_e = 1/2; κ = (2/3 − 1/2)/(1/2) = 1/3.
  const counts = [
    [3, 0],
    [0, 3],
    [2, 1],
    [1, 2],
  ]

  it('table by hand', () => {
    expect(fleissKappa(counts)).toBeCloseTo(1 / 3, 14)
  })

  it('a category column nobody used changes nothing', () => {
    expect(fleissKappa(counts.map((r) => [...r, 0]))).toBeCloseTo(1 / 3, 14)
  })

  it('is NaN when every rating is one category (P_e = 1)', () => {
    expect(
      fleissKappa([
        [3, 0],
        [3, 0],
      ]),
    ).toBeNaN()
  })

  it('refuses incomplete tables', () => {
    const bad = [
      [2, 0],
      [1, 2],
    ]
    expect(completeRaters(bad)).toBeNull()
    expect(() => fleissKappa(bad)).toThrow(/same number of annotators/)
    expect(completeRaters([[1, 0]])).toBeNull() // one rater per text is no agreement
  })
})

describe("Krippendorff's α (nominal)", () => {
  it('complete table by hand', () => {
    // Same table as Fleiss: n = 12; observed Σ_u (m² − Σn²)/(m − 1) = 0 + 0 + 2 + 2 = 4;
    // n_c = (6, 6): expected (144 − 72)/11 = 72/11; α = 1 − 4·11/72 = 7/18.
    expect(
      krippendorffAlphaFromCounts([
        [3, 0],
        [0, 3],
        [2, 1],
        [1, 2],
      ]),
    ).toBeCloseTo(7 / 18, 14)
  })

  it("Krippendorff's example with missing values: 56/81", () => {
    // Krippendorff (2011), 3 coders × 15 units, values 1–4 (here 0–3), nominal α = 0.691.
    // Pairable units give observed = 2 (unit 6: 3,3,4) + 2 (unit 8: 1,3) + 2 (unit 15: 3,4) = 6;
    // n_c = (7, 4, 10, 5), n = 26: expected (676 − 190)/25 = 486/25; α = 1 − 150/486 = 56/81.
    const n = null
    const coders: Rating[][] = [
      [n, n, n, n, n, 3, 4, 1, 2, 1, 1, 3, 3, n, 3],
      [1, n, 2, 1, 3, 3, 4, 3, n, n, n, n, n, n, n],
      [n, n, 2, 1, 3, 4, 4, n, 2, 1, 1, 3, 3, n, 4],
    ]
    const ratings = coders[0].map((_, u) =>
      coders.map((c) => {
        const v = c[u]
        return v === null ? null : v - 1
      }),
    )
    expect(krippendorffAlpha(ratings, 4)).toBeCloseTo(56 / 81, 14)
  })

  it('is NaN with one category or no text annotated twice', () => {
    expect(
      krippendorffAlpha(
        [
          [1, 1],
          [1, 1],
        ],
        3,
      ),
    ).toBeNaN()
    expect(
      krippendorffAlpha(
        [
          [0, null],
          [null, 1],
        ],
        2,
      ),
    ).toBeNaN()
    // A category seen only on a singly-annotated text is not pairable: still one category.
    expect(
      krippendorffAlpha(
        [
          [0, 0],
          [1, null],
        ],
        2,
      ),
    ).toBeNaN()
  })

  it('refuses labels outside the schema and ragged rows', () => {
    expect(() => countTable([[0, 3]], 3)).toThrow(/not one of the 3 categories/)
    expect(() => countTable([[0, 1], [0]], 3)).toThrow(CtsError)
  })
})

describe('multi-label', () => {
  it('each label becomes present/absent; unannotated stays missing', () => {
    expect(
      labelPresence(
        [
          [[0, 2], []],
          [null, [2]],
        ],
        2,
      ),
    ).toEqual([
      [1, 0],
      [null, 1],
    ])
  })

  it('a label nobody used is NaN everywhere', () => {
    const sets = [
      [[0], [0]],
      [[1], [0]],
      [[1], [1]],
    ]
    const r = multiLabelAgreementReport(sets, 3, { resamples: 10 })
    expect(r.perLabel).toHaveLength(3)
    const unused = r.perLabel[2]
    expect(unused.cohen[0].kappa.estimate).toBeNaN()
    expect(unused.fleiss?.estimate).toBeNaN()
    expect(unused.alpha.estimate).toBeNaN()
    expect(unused.alpha.undefinedResamples).toBe(10)
    expect(unused.alpha.lower).toBeNaN()
    // label 0: A = (1,0,0), B = (1,1,0): p_o = 2/3, p_e = 1/3·2/3 + 2/3·1/3 = 4/9 → κ = 2/5
    expect(r.perLabel[0].cohen[0].kappa.estimate).toBeCloseTo(0.4, 14)
    expect(() => multiLabelAgreementReport([[[3]]], 3)).toThrow(/not one of the 3 labels/)
  })
})

describe('bootstrap', () => {
  it('draws n texts with replacement from the seeded Rng and takes numpy-style percentiles', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6]
    const mean = (ix: number[]): number => ix.reduce((s, i) => s + values[i], 0) / ix.length
    const got = bootstrapStatistic(values.length, mean, { resamples: 200, seed: 7 })
    const rng = new Rng(7)
    const sample: number[] = []
    for (let r = 0; r < 200; r++) {
      sample.push(mean(values.map(() => rng.int(values.length))))
    }
    sample.sort((x, y) => x - y)
    const tail = (1 - 0.95) / 2 // as the code computes it (0.025 + 2e-17)
    expect(got).toEqual({
      estimate: 31 / 8,
      lower: percentile(sample, 100 * tail),
      upper: percentile(sample, 100 * (1 - tail)),
      undefinedResamples: 0,
    })
  })

  it('leaves undefined resamples out of the percentiles and counts them', () => {
    // statistic: NaN when the first drawn index is 0, else 5
    const got = bootstrapStatistic(2, (ix) => (ix[0] === 0 ? NaN : 5), { resamples: 100, seed: 11 })
    // n = 2 draws two indices per resample: recount with the same stream
    const rng = new Rng(11)
    let undef = 0
    for (let r = 0; r < 100; r++) {
      const first = rng.int(2)
      rng.int(2)
      if (first === 0) undef++
    }
    expect(undef).toBeGreaterThan(0)
    expect(undef).toBeLessThan(100)
    expect(got.undefinedResamples).toBe(undef)
    expect(got.lower).toBe(5)
    expect(got.upper).toBe(5)
  })

  it('report: pairs, Fleiss only on complete tables, same seed same intervals', () => {
    const ratings: Rating[][] = [
      [0, 0, 1],
      [1, 1, 1],
      [2, 2, 0],
      [0, 1, 0],
      [2, 2, 2],
      [1, 0, 1],
    ]
    const a = agreementReport(ratings, 3, { resamples: 100, seed: 3 })
    const b = agreementReport(ratings, 3, { resamples: 100, seed: 3 })
    expect(a).toEqual(b)
    expect(a.cohen.map((p) => [p.a, p.b, p.texts])).toEqual([
      [0, 1, 6],
      [0, 2, 6],
      [1, 2, 6],
    ])
    expect(a.fleiss).not.toBeNull()
    for (const iv of [a.alpha, ...(a.fleiss ? [a.fleiss] : []), ...a.cohen.map((p) => p.kappa)]) {
      expect(iv.lower).toBeLessThanOrEqual(iv.upper)
    }
    expect(a.resamples).toBe(100)
    expect(a.level).toBe(0.95)
    const missing = agreementReport([...ratings, [0, null, 0]], 3, { resamples: 10 })
    expect(missing.fleiss).toBeNull()
    expect(missing.cohen[0].texts).toBe(6)
    expect(missing.cohen[1].texts).toBe(7)
  })
})
