// Evaluation parity: our ROC/PR curves, AUC, average precision, threshold counts, ECE and the
// classification report (metrics.ts) must equal scikit-learn's on the same seeded predictions.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { calibration } from '../../main/ml/eval/calibration'
import { oneVsRestCurves, thresholdCounts } from '../../main/ml/eval/curves'
import { argmaxRows, classificationReport } from '../../main/ml/eval/metrics'
import { evalCases, type EvalCase } from './eval-cases'

const ROOT = process.cwd()
const PYTHON = join(ROOT, '.venv/bin/python')
const REF = join(ROOT, 'test/parity/python/eval_ref.py')
const TOL = 1e-9

type Num = number | 'inf' | 'nan'
interface RefCurves {
  roc: { fpr: Num[]; tpr: Num[]; thresholds: Num[] }
  rocAuc: number | null
  pr: { precision: Num[]; recall: Num[]; thresholds: Num[] }
  averagePrecision: number | null
}
type RefRow = { precision: number; recall: number; 'f1-score': number; support: number }
interface RefCase {
  name: string
  perClass: RefCurves[]
  report: Record<string, RefRow | number>
  calibration: { ece: number; counts: number[] }
  binaryAuc?: number
  binaryAp?: number
  counts?: Record<'tn' | 'fp' | 'fn' | 'tp' | 'thresholds', Num[]>
  macroRocAuc?: number
  macroAp?: number
}

const decode = (a: Num[]): number[] =>
  a.map((v) => (v === 'inf' ? Infinity : v === 'nan' ? NaN : v))

/** Same length, and every element equal within TOL (infinities and NaNs must match exactly). */
function expectClose(ours: number[], ref: Num[], what: string): void {
  const r = decode(ref)
  expect(ours.length, `${what}: length`).toBe(r.length)
  ours.forEach((v, i) => {
    if (!Number.isFinite(r[i])) expect(v, `${what}[${i}]`).toBe(r[i])
    else
      expect(Math.abs(v - r[i]), `${what}[${i}]: ours ${v}, sklearn ${r[i]}`).toBeLessThanOrEqual(
        TOL,
      )
  })
}

function expectNum(ours: number | null, ref: number | null | undefined, what: string): void {
  if (ref === null || ref === undefined) {
    expect(ours, what).toBeNull()
    return
  }
  expect(ours, what).not.toBeNull()
  expect(
    Math.abs((ours as number) - ref),
    `${what}: ours ${ours}, sklearn ${ref}`,
  ).toBeLessThanOrEqual(TOL)
}

let cases: EvalCase[]
let refs: RefCase[]

beforeAll(async () => {
  if (!existsSync(PYTHON)) {
    throw new Error(
      'The Python reference venv is missing (.venv/bin/python): run scripts/setup-python.sh',
    )
  }
  cases = evalCases()
  const run = promisify(execFile)(PYTHON, [REF], { maxBuffer: 64 * 1024 * 1024 })
  run.child.stdin?.end(JSON.stringify(cases))
  refs = JSON.parse((await run).stdout) as RefCase[]
})

describe('evaluation parity with scikit-learn', () => {
  it('covers ties: every case has fewer distinct scores than texts', () => {
    expect(refs.map((r) => r.name)).toEqual(cases.map((c) => c.name))
    for (const c of cases) {
      const col = c.probs.map((p) => p[0])
      expect(new Set(col).size, c.name).toBeLessThan(col.length)
    }
  })

  it('computes ROC and PR curves, ROC AUC and average precision per class like sklearn', () => {
    cases.forEach((c, n) => {
      const ours = oneVsRestCurves(c.yTrue, c.probs)
      ours.perClass.forEach((pc, k) => {
        const ref = refs[n].perClass[k]
        const at = `${c.name}, class ${k}`
        expectClose(pc.roc.fpr, ref.roc.fpr, `${at} fpr`)
        expectClose(pc.roc.tpr, ref.roc.tpr, `${at} tpr`)
        expectClose(pc.roc.thresholds, ref.roc.thresholds, `${at} roc thresholds`)
        expectClose(pc.pr.precision, ref.pr.precision, `${at} precision`)
        expectClose(pc.pr.recall, ref.pr.recall, `${at} recall`)
        expectClose(pc.pr.thresholds, ref.pr.thresholds, `${at} pr thresholds`)
        expectNum(pc.rocAuc, ref.rocAuc, `${at} ROC AUC`)
        expectNum(pc.averagePrecision, ref.averagePrecision, `${at} AP`)
      })
      if (c.probs[0].length === 2) {
        expectNum(ours.perClass[1].rocAuc, refs[n].binaryAuc, `${c.name} binary AUC`)
        expectNum(ours.perClass[1].averagePrecision, refs[n].binaryAp, `${c.name} binary AP`)
      } else {
        expectNum(ours.macroRocAuc, refs[n].macroRocAuc, `${c.name} macro ROC AUC (ovr)`)
        expectNum(ours.macroAveragePrecision, refs[n].macroAp, `${c.name} macro AP`)
      }
    })
  })

  it('counts tp/fp/tn/fn per threshold like confusion_matrix_at_thresholds', () => {
    const binary = cases.filter((c) => c.probs[0].length === 2)
    expect(binary.length).toBe(3)
    for (const c of binary) {
      const ref = refs[cases.indexOf(c)].counts!
      const t = thresholdCounts(
        c.yTrue.map((y) => y === 1),
        c.probs.map((p) => p[1]),
      )
      expectClose(t.thresholds, ref.thresholds, `${c.name} thresholds`)
      expectClose(t.tps, ref.tp, `${c.name} tp`)
      expectClose(t.fps, ref.fp, `${c.name} fp`)
      expectClose(
        t.fps.map((v) => t.negatives - v),
        ref.tn,
        `${c.name} tn`,
      )
      expectClose(
        t.tps.map((v) => t.positives - v),
        ref.fn,
        `${c.name} fn`,
      )
    }
  })

  it('matches classification_report(output_dict=True, zero_division=0)', () => {
    cases.forEach((c, n) => {
      const k = c.probs[0].length
      const pred = argmaxRows(c.probs.flat(), k)
      const ours = classificationReport(c.yTrue, pred, [...Array(k).keys()])
      const ref = refs[n].report
      ours.perClass.forEach((pc) => {
        const r = ref[String(pc.label)] as RefRow
        expectNum(pc.precision, r.precision, `${c.name} class ${pc.label} precision`)
        expectNum(pc.recall, r.recall, `${c.name} class ${pc.label} recall`)
        expectNum(pc.f1, r['f1-score'], `${c.name} class ${pc.label} f1`)
        expect(pc.support).toBe(r.support)
      })
      // With explicit labels covering every prediction, sklearn reports micro avg, not accuracy.
      const acc = (ref.accuracy ?? (ref['micro avg'] as RefRow).recall) as number
      expectNum(ours.accuracy, acc, `${c.name} accuracy`)
      for (const [key, avg] of [
        ['macro avg', ours.macro],
        ['weighted avg', ours.weighted],
      ] as const) {
        const r = ref[key] as RefRow
        expectNum(avg.precision, r.precision, `${c.name} ${key} precision`)
        expectNum(avg.recall, r.recall, `${c.name} ${key} recall`)
        expectNum(avg.f1, r['f1-score'], `${c.name} ${key} f1`)
        expect(avg.support).toBe(r.support)
      }
    })
  })

  it('bins confidence and computes ECE like the numpy reference', () => {
    cases.forEach((c, n) => {
      const ours = calibration(c.yTrue, c.probs)
      expect(
        ours.bins.map((b) => b.count),
        c.name,
      ).toEqual(refs[n].calibration.counts)
      expectNum(ours.ece, refs[n].calibration.ece, `${c.name} ECE`)
    })
  })
})
