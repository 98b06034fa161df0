// The TF-IDF baseline's fit reaches scikit-learn's optimum: on the same sparse TF-IDF matrix (ours,
// exported), LogisticRegression(C, lbfgs) and our L-BFGS over the ONNX loss/gradient graph give the
// same probabilities and the same objective value.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, describe, expect, it } from 'vitest'
import { BASELINE_DEFAULT_C, fitTfidfBaseline } from '../../main/ml/models/baseline-fit'
import { hashedGrams, tfidfText, writeTfidfVocabulary } from '../../main/ml/models/baseline-tfidf'
import { mostlyCjk, tfidfGrams } from '../../main/ml/models/baseline-analyzer'
import { createBaselineAdapter } from '../../main/ml/models/baseline-adapter'
import { BASELINE_PARAMS } from '../../main/ml/models/baseline'
import { loadClassifierBundle, saveClassifierBundle } from '../../main/ml/infer/classifier-bundle'
import type { ClassifierAdapter } from '../../main/ml/train/classifier-adapter'
import { refPython, ROOT } from './bert-harness'

const fixture = fileURLToPath(new URL('../fixtures/train/triage-3class.csv', import.meta.url))
const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
const labels = ['呼吸', '心脏', '消化']
const train = { texts: rows.map((r) => r.text), labels: rows.map((r) => labels.indexOf(r.label)) }
const dir = mkdtempSync(join(tmpdir(), 'cts-baseline-fit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the TF-IDF baseline fit', () => {
  it("reaches scikit-learn's LogisticRegression optimum on the same features", async () => {
    // No dev texts: the fit uses its default C, once.
    const fit = await fitTfidfBaseline({
      train,
      numClasses: 3,
      maxFeatures: 4096,
      classWeights: false,
      seed: 1,
    })
    expect(fit.trials.map((t) => t.c)).toEqual([BASELINE_DEFAULT_C])
    expect(fit.trials[0].converged).toBe(true)
    const d = fit.vocab.hashes.length
    const matrix = train.texts.map((t) =>
      tfidfText(hashedGrams(t, { charMax: 4 }), fit.vocab, 4096),
    )
    const input = join(dir, 'input.json')
    writeFileSync(
      input,
      JSON.stringify({
        rows: matrix.map((m) => ({ ids: [...m.ids], values: [...m.values] })),
        labels: train.labels,
        features: d,
        C: BASELINE_DEFAULT_C,
      }),
    )
    const ref = JSON.parse(refPython([input], join(ROOT, 'test/parity/python/logreg_ref.py'))) as {
      proba: number[][]
      objective: number
    }

    // Our probabilities, through the saved bundle the app predicts with.
    const bundle = join(dir, 'bundle')
    mkdirSync(bundle)
    writeTfidfVocabulary(bundle, fit.vocab)
    const adapter = createBaselineAdapter(fit.config, 64, fit.weights, fit.vocab)
    saveClassifierBundle(bundle, adapter as unknown as ClassifierAdapter, labels)
    const model = await loadClassifierBundle(bundle)
    const probs = await model.predict(train.texts)
    await model.release()
    let worst = 0
    ref.proba.forEach((row, i) =>
      row.forEach((p, c) => (worst = Math.max(worst, Math.abs(p - probs[i * 3 + c])))),
    )
    expect(worst).toBeLessThan(2e-4)

    const table = fit.weights.get(BASELINE_PARAMS.embedding)!
    const penalty =
      table.reduce((s, w) => s + w * w, 0) / (2 * BASELINE_DEFAULT_C * train.texts.length)
    const ours = fit.trials[0].trainLoss + penalty
    expect(Math.abs(ours - ref.objective) / ref.objective).toBeLessThan(1e-5)
  })
})

describe('the TF-IDF baseline analyzers', () => {
  it("make scikit-learn's word 1–2-grams and char_wb / char 1–4-grams, n-gram for n-gram", () => {
    const texts = [
      'Severe chest pain, radiating to the left arm (3 days).',
      'routine check-up: BP 120/80 — normal; no_complaints',
      '患者发热2天，伴咳嗽、咳痰。 夜间  加重！',
      '血压 150/95 mmHg，头晕眼花',
      'a I x',
    ]
    const char = texts.map((t) => (mostlyCjk(t) ? 'char' : 'char_wb'))
    expect(char).toEqual(['char_wb', 'char_wb', 'char', 'char', 'char_wb'])
    const input = join(dir, 'analyzer.json')
    // Ours read text NFKC-normalised (full-width '，' as ','); scikit-learn gets it so already.
    writeFileSync(input, JSON.stringify({ texts: texts.map((t) => t.normalize('NFKC')), char }))
    const ref = JSON.parse(
      refPython([input], join(ROOT, 'test/parity/python/analyzer_ref.py')),
    ) as { word: string[]; char: string[] }[]
    // scikit-learn names a feature by its string alone; ours prefix the block (and n).
    const strip = (g: string) => g.slice(g.indexOf(':') + 1)
    texts.forEach((text, i) => {
      const grams = tfidfGrams(text, 4)
      expect(grams.filter((g) => !g.char).map((g) => strip(g.gram))).toEqual(ref[i].word)
      expect(
        grams
          .filter((g) => g.char)
          .map((g) => strip(g.gram))
          .sort(),
      ).toEqual([...ref[i].char].sort())
    })
  })
})
