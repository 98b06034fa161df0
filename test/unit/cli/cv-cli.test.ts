// `cts cv`: a grouped 5-fold cross-validation with the learning curve on a project imported from
// the bilingual sample (--json shape, test texts kept out, stored result), and exit 2 with one
// message naming the flag for bad flags.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { failingCts, REPO_ROOT, runCts } from './cts-process'

const fixture = join(REPO_ROOT, 'resources/samples/symptoms-zh-en.csv')
const home = mkdtempSync(join(tmpdir(), 'cts-cv-cli-'))
afterAll(() => rmSync(home, { recursive: true, force: true }))

const cts = (args: string[]) => runCts(home, args)
const failing = (args: string[]) => failingCts(home, args)

interface Ci {
  estimate: number
  lower: number
  upper: number
}

let out: {
  cv_id: number
  status: string
  model: string
  k: number
  seed: number
  split: string
  labels: string[]
  texts: number
  test_excluded: number
  folds: {
    fold: number
    train_texts: number
    dev_texts: number
    eval_texts: number
    macro_f1: Ci
  }[]
  pooled: { texts: number; accuracy: number; macro_f1: Ci; per_class: unknown[] }
  learning_curve: {
    points: { fraction: number; train_texts: number; macro_f1: Ci }[]
    gain: Ci & { from: number; to: number }
    verdict: string
    sentence: string
  }
  timings: { seconds: number; estimate_seconds: number }
}

beforeAll(async () => {
  await cts(['project', 'create', 'Symptoms'])
  await cts(['import', fixture, '--project', 'Symptoms', '--group-col', 'patient_id'])
  const { stdout } = await cts(['cv', '--project', 'Symptoms', '--json'])
  out = JSON.parse(stdout) as typeof out
}, 180_000)

describe('cts cv --json', () => {
  it('prints folds, pooled metrics and the learning curve with intervals', () => {
    expect(Object.keys(out)).toEqual([
      'cv_id',
      'status',
      'model',
      'requested_model',
      'k',
      'seed',
      'split',
      'labels',
      'texts',
      'test_excluded',
      'duplicates_removed',
      'data_hash',
      'confidence_level',
      'bootstrap_resamples',
      'folds',
      'pooled',
      'learning_curve',
      'timings',
    ])
    expect(out).toMatchObject({ cv_id: 1, status: 'success', model: 'baseline', k: 5, seed: 42 })
    expect(out.split).toBe('grouped')
    expect(out.labels).toEqual(['健康', '疾病'])
    // 160 texts: the 10 % test split `cts train` would hold out (patients whole) takes no part.
    expect(out.texts + out.test_excluded).toBe(160)
    expect(out.test_excluded).toBeGreaterThan(0)
    expect(out.folds.map((f) => f.fold)).toEqual([1, 2, 3, 4, 5])
    expect(out.folds.reduce((s, f) => s + f.eval_texts, 0)).toBe(out.texts)
    for (const f of out.folds) {
      expect(f.train_texts + f.dev_texts + f.eval_texts).toBe(out.texts)
      expect(f.macro_f1.lower).toBeLessThanOrEqual(f.macro_f1.estimate)
    }
    expect(out.pooled.texts).toBe(out.texts)
    expect(out.pooled.macro_f1.lower).toBeLessThanOrEqual(out.pooled.macro_f1.estimate)
    expect(out.pooled.macro_f1.upper).toBeGreaterThanOrEqual(out.pooled.macro_f1.estimate)
    expect(out.learning_curve.points.map((p) => p.fraction)).toEqual([0.1, 0.25, 0.5, 1])
    expect(out.learning_curve.points[3].macro_f1).toEqual(out.pooled.macro_f1)
    const sizes = out.learning_curve.points.map((p) => p.train_texts)
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes)
    expect(out.learning_curve.gain).toMatchObject({ from: 0.5, to: 1 })
    expect(['likely', 'plateau', 'unclear']).toContain(out.learning_curve.verdict)
    expect(out.learning_curve.sentence).toMatch(
      /^Going from 50% to 100% of the training texts changed macro-F1 by [+−]\d\.\d{3} \(95% CI /,
    )
    expect(out.timings.estimate_seconds).toBeGreaterThan(0)
  })

  it('stores the result and the out-of-fold predictions, and removes the fold models', () => {
    const stored = JSON.parse(readFileSync(join(home, 'cv', '1.json'), 'utf8')) as {
      status: string
      pooled: { texts: number }
    }
    expect(stored.status).toBe('success')
    const preds = JSON.parse(readFileSync(join(home, 'cv', '1-predictions.json'), 'utf8')) as {
      yTrue: number[]
      fold: number[]
      textIds: number[]
      yPred: Record<string, number[]>
    }
    expect(preds.yTrue).toHaveLength(out.texts)
    expect(Object.keys(preds.yPred).sort()).toEqual(['0.1', '0.25', '0.5', '1'])
    expect(new Set(preds.fold)).toEqual(new Set([0, 1, 2, 3, 4]))
    expect(existsSync(join(home, 'cv', '1-work'))).toBe(false)
    expect(existsSync(join(home, 'runs', '1'))).toBe(false)
  })
})

describe('cts cv: bad flags exit 2', () => {
  it.each([
    [['--k', '1'], '--k must be a whole number from 2 to 20 (got "1").'],
    [['--k', '21'], '--k must be a whole number from 2 to 20 (got "21").'],
    [['--k', 'five'], '--k must be a whole number from 2 to 20 (got "five").'],
    [['--split', 'random'], '--split must be stratified or grouped (got "random").'],
  ])('%j', async (flags, message) => {
    const { code, stderr } = await failing(['cv', '--project', 'Symptoms', ...flags])
    expect(code).toBe(2)
    expect(stderr.trim()).toBe(`Error: ${message}`)
  })

  it('needs --project or --train', async () => {
    const { code, stderr } = await failing(['cv'])
    expect(code).toBe(2)
    expect(stderr.trim()).toBe('Error: Give either --project or --train FILE (not both).')
  })
})
