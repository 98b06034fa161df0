// Out-of-fold probabilities (each text scored by a baseline fitted without its fold) and the
// hashed TF-IDF vectors the diversity strategy measures distances on.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  baselineProbabilities,
  outOfFoldProbabilities,
  tfidfVectors,
  tfidfVectorsYielding,
} from '../../../../main/ml/active/out-of-fold'
import { assignFolds } from '../../../../main/ml/eval/cv-folds'
import { fitTfidfBaseline } from '../../../../main/ml/models/baseline-fit'
import { createBaselineAdapter } from '../../../../main/ml/models/baseline-adapter'
import {
  loadClassifierBundle,
  saveClassifierBundle,
} from '../../../../main/ml/infer/classifier-bundle'
import type { ClassifierAdapter } from '../../../../main/ml/train/classifier-adapter'
import type { OutOfFold } from '../../../../main/ml/active/out-of-fold'
import {
  buildTfidfVocabulary,
  hashedGrams,
  tfidfText,
  writeTfidfVocabulary,
} from '../../../../main/ml/models/baseline-tfidf'

const fixture = fileURLToPath(new URL('../../../fixtures/train/triage-3class.csv', import.meta.url))
const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
const CLASSES = ['呼吸', '心脏', '消化']
const texts = rows.map((r) => r.text)
const labels = rows.map((r) => CLASSES.indexOf(r.label))
const dir = mkdtempSync(join(tmpdir(), 'cts-oof-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let oof: OutOfFold
const progress: number[] = []
beforeAll(async () => {
  oof = await outOfFoldProbabilities(texts, labels, CLASSES, {
    k: 3,
    seed: 5,
    onProgress: (p) => progress.push(p.fold),
  })
}, 120_000)

describe('outOfFoldProbabilities', () => {
  it('assigns the stratified, seeded folds of cv-folds.ts and fits once per fold', () => {
    expect(oof.k).toBe(3)
    expect(oof.folds).toEqual(
      assignFolds(
        labels.map((label) => ({ label })),
        3,
        5,
      ),
    )
    expect(progress).toEqual([0, 1, 2])
    expect(oof.probs).toHaveLength(30)
    for (const p of oof.probs) expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12)
  })

  it('gives each text the probabilities of the model fitted without its fold, in input order', async () => {
    const f = 1
    const train = labels.flatMap((_, i) => (oof.folds[i] === f ? [] : [i]))
    const held = labels.flatMap((_, i) => (oof.folds[i] === f ? [i] : []))
    const fit = await fitTfidfBaseline({
      train: { texts: train.map((i) => texts[i]), labels: train.map((i) => labels[i]) },
      numClasses: 3,
      maxFeatures: 4096,
      classWeights: false,
      seed: 5,
    })
    // baselineProbabilities scores texts or their pre-hashed n-grams alike.
    const heldTexts = held.map((i) => texts[i])
    expect(baselineProbabilities(fit, heldTexts)).toEqual(
      baselineProbabilities(
        fit,
        heldTexts.map((t) => hashedGrams(t, { charMax: 4 })),
      ),
    )
    // The held-out texts through the saved bundle the app predicts with.
    const bundle = join(dir, 'bundle')
    mkdirSync(bundle)
    writeTfidfVocabulary(bundle, fit.vocab)
    const adapter = createBaselineAdapter(fit.config, 64, fit.weights, fit.vocab)
    saveClassifierBundle(bundle, adapter as unknown as ClassifierAdapter, CLASSES)
    const model = await loadClassifierBundle(bundle)
    const probs = await model.predict(held.map((i) => texts[i]))
    await model.release()
    held.forEach((i, r) => {
      for (let c = 0; c < 3; c++)
        expect(Math.abs(oof.probs[i][c] - probs[r * 3 + c])).toBeLessThan(1e-5)
    })
  })

  it('predicts held-out texts better than chance', () => {
    const right = oof.probs.filter((p, i) => p.indexOf(Math.max(...p)) === labels[i]).length
    // Measured: 16 of 30, chance 10 (the fixture is tiny and bilingual: each fold trains on 20
    // texts, about 3 per class and language). A measured floor.
    expect(right).toBeGreaterThanOrEqual(16)
  })

  it('caps the folds at the number of texts and rejects what cannot be fitted', async () => {
    await expect(outOfFoldProbabilities(['a'], [0], 2)).rejects.toThrow(/at least 2 labelled texts/)
    await expect(outOfFoldProbabilities(texts, labels, 3, { k: 1 })).rejects.toThrow(
      /Folds must be a whole number from 2 to 20 \(got 1\)/,
    )
    await expect(outOfFoldProbabilities(['a', 'b'], [0, 3], 3)).rejects.toThrow(
      /Text 2 has label index 3, outside 0…2/,
    )
    const two = await outOfFoldProbabilities(['cough', '腹痛'], [0, 1], 2, { k: 5 })
    expect(two.k).toBe(2)
    expect(two.folds).toEqual([0, 1])
  })
})

describe('tfidfVectors', () => {
  const vectors = tfidfVectors([...texts, '', texts[0]])
  const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, j) => s + x * b[j], 0)

  it('in chunks with yields to the event loop, gives exactly the same vectors', async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 0)
    const yielded = await tfidfVectorsYielding([...texts, '', texts[0]], { chunk: 4 })
    clearInterval(timer)
    expect(yielded).toEqual(vectors)
    // 32 texts in chunks of 4: 8 yields while hashing and 8 while vectorising let a timer run.
    expect(ticks).toBeGreaterThan(0)
  })

  it('gives unit vectors of 1,024 dimensions, zero for an empty text', () => {
    expect(vectors).toHaveLength(32)
    for (const v of vectors.slice(0, 30)) {
      expect(v).toHaveLength(1024)
      expect(cos(v, v)).toBeCloseTo(1, 5)
    }
    expect(vectors[30].every((x) => x === 0)).toBe(true)
  })

  it('puts identical texts at distance 0 and same-topic texts nearer than others', () => {
    expect(cos(vectors[0], vectors[31])).toBeCloseTo(1, 5)
    // "cough and wheeze for three days" vs "persistent dry cough at night" (both cough) and vs
    // "chest pain radiating to the left arm".
    expect(cos(vectors[0], vectors[2])).toBeGreaterThan(cos(vectors[0], vectors[10]))
  })

  it('keeps cosines within 0.02 of the exact TF-IDF cosines on average', () => {
    const noisy = fileURLToPath(
      new URL('../../../fixtures/active/noisy-triage.csv', import.meta.url),
    )
    const pool = (parse(readFileSync(noisy), { columns: true }) as { text: string }[]).map(
      (r) => r.text,
    )
    const hashed = tfidfVectors(pool)
    const grams = pool.map((t) => hashedGrams(t, { charMax: 4 }))
    const vocab = buildTfidfVocabulary(grams)
    const exact = grams.map((g) => {
      const x = tfidfText(g, vocab, 4096)
      const n = Math.hypot(...x.values)
      return new Map([...x.ids].map((id, j) => [id, x.values[j] / n]))
    })
    let total = 0
    let pairs = 0
    for (let a = 0; a < pool.length; a++) {
      for (let b = a + 1; b < pool.length; b++) {
        let e = 0
        for (const [id, x] of exact[a]) e += x * (exact[b].get(id) ?? 0)
        total += Math.abs(cos(hashed[a], hashed[b]) - e)
        pairs++
      }
    }
    // Measured: 0.0179 (the worst single pair is 0.50; see tfidfVectors).
    expect(total / pairs).toBeLessThan(0.02)
  })
})
