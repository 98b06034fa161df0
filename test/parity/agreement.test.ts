// Agreement parity: Cohen's κ (every annotator pair), Fleiss' κ (complete tables) and
// Krippendorff's α (nominal, missing cells) equal scikit-learn, statsmodels and the krippendorff
// package to 1e-9 on the fixtures in test/fixtures/agreement/, NaN where they are undefined.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  cohenKappa,
  completeRaters,
  countTable,
  fleissKappa,
  krippendorffAlpha,
  labelPresence,
  type LabelSetMatrix,
  type RatingMatrix,
} from '../../main/ml/eval/agreement'
import { agreementReport, multiLabelAgreementReport } from '../../main/ml/eval/agreement-report'
import { ROOT, refPython } from './bert-harness'

const TOL = 1e-9
const DIR = join(ROOT, 'test/fixtures/agreement')
const SINGLE = ['perfect', 'chance', 'ties', 'missing', 'unused', 'one-category']
const MULTI = 'multilabel'
const path = (name: string): string => join(DIR, `${name}.json`)

type Num = number | 'nan'
interface RefFigures {
  cohen: { a: number; b: number; texts: number; kappa: Num | null }[]
  fleiss: Num | null
  alpha: Num
  alphaDefaultDomain: Num | { error: string }
}
interface Ref {
  versions: Record<string, string>
  fixtures: Record<string, RefFigures | { perLabel: RefFigures[] }>
}

function expectNum(ours: number, ref: Num | null, what: string): void {
  const r = ref === 'nan' || ref === null ? NaN : ref
  if (Number.isNaN(r)) expect(ours, what).toBeNaN()
  else expect(Math.abs(ours - r), `${what}: ours ${ours}, reference ${r}`).toBeLessThanOrEqual(TOL)
}

/** Our three statistics on one rating matrix against the reference's figures. */
function compare(ratings: RatingMatrix, k: number, ref: RefFigures, what: string): void {
  const annotators = ratings[0].length
  const pairs = ref.cohen.map((p) => `${p.a}-${p.b}`)
  const ours: string[] = []
  for (let a = 0; a < annotators; a++)
    for (let b = a + 1; b < annotators; b++) ours.push(`${a}-${b}`)
  expect(ours, `${what}: pairs`).toEqual(pairs)
  for (const p of ref.cohen) {
    const kappa = cohenKappa(
      ratings.map((r) => r[p.a]),
      ratings.map((r) => r[p.b]),
    )
    expectNum(kappa, p.kappa, `${what}: Cohen ${p.a}-${p.b} (sklearn)`)
  }
  const counts = countTable(ratings, k)
  expect(completeRaters(counts) !== null, `${what}: complete table`).toBe(ref.fleiss !== null)
  if (ref.fleiss !== null)
    expectNum(fleissKappa(counts), ref.fleiss, `${what}: Fleiss (statsmodels)`)
  const alpha = krippendorffAlpha(ratings, k)
  expectNum(alpha, ref.alpha, `${what}: alpha (krippendorff)`)
  // Without an explicit value domain the package refuses one used category; where it answers, it agrees.
  const d = ref.alphaDefaultDomain
  if (typeof d === 'object') expect(alpha, `${what}: alpha where the package refuses`).toBeNaN()
  else expectNum(alpha, d, `${what}: alpha, default domain (krippendorff)`)
  // The report's estimates are the same functions on the same data.
  const report = agreementReport(ratings, k, { resamples: 20 })
  report.cohen.forEach((p, i) =>
    expectNum(p.kappa.estimate, ref.cohen[i].kappa, `${what}: report Cohen`),
  )
  if (ref.fleiss === null) expect(report.fleiss, `${what}: report Fleiss`).toBeNull()
  else
    expectNum(
      report.fleiss?.estimate ?? Number.POSITIVE_INFINITY,
      ref.fleiss,
      `${what}: report Fleiss`,
    )
  expectNum(report.alpha.estimate, ref.alpha, `${what}: report alpha`)
}

describe('agreement parity with scikit-learn, statsmodels and krippendorff', () => {
  let ref: Ref
  const load = <T>(name: string): T => JSON.parse(readFileSync(path(name), 'utf8')) as T

  beforeAll(() => {
    const out = refPython(
      [...SINGLE, MULTI].map(path),
      join(ROOT, 'test/parity/python/agreement_ref.py'),
    )
    ref = JSON.parse(out) as Ref
  }, 120_000)

  it.each(SINGLE)('%s', (name) => {
    const fx = load<{ numCategories: number; ratings: RatingMatrix }>(name)
    compare(fx.ratings, fx.numCategories, ref.fixtures[path(name)] as RefFigures, name)
  })

  it('multilabel: every label as present/absent, the unused label NaN', () => {
    const fx = load<{ numLabels: number; labelSets: LabelSetMatrix }>(MULTI)
    const perLabel = (ref.fixtures[path(MULTI)] as { perLabel: RefFigures[] }).perLabel
    expect(perLabel).toHaveLength(fx.numLabels)
    perLabel.forEach((r, l) => compare(labelPresence(fx.labelSets, l), 2, r, `${MULTI} label ${l}`))
    const report = multiLabelAgreementReport(fx.labelSets, fx.numLabels, { resamples: 20 })
    const unused = report.perLabel[3]
    expect(unused.alpha.estimate).toBeNaN()
    expect(unused.fleiss).toBeNull() // annotator 2 skipped a text: the table is incomplete
    expect(unused.cohen.every((p) => Number.isNaN(p.kappa.estimate))).toBe(true)
  })

  it('the oracles are the pinned versions; the fixtures cover the cases the issue names', () => {
    // perfect → 1, chance → Cohen 0, one category → NaN, missing → Fleiss not applicable.
    // The oracles are the versions scripts/setup-python.sh pins.
    expect(ref.versions).toEqual({
      'scikit-learn': '1.9.1',
      statsmodels: '0.15.0',
      krippendorff: '0.9.0',
    })
    const f = ref.fixtures
    expect((f[path('perfect')] as RefFigures).alpha).toBe(1)
    expect((f[path('chance')] as RefFigures).cohen[0].kappa).toBe(0)
    expect((f[path('one-category')] as RefFigures).alpha).toBe('nan')
    expect((f[path('missing')] as RefFigures).fleiss).toBeNull()
  })
})
