// The demo's closing table: each run's test macro-F1 per language (Chinese / English texts of the
// test split) with 95 % bootstrap intervals, and a plain sentence wherever a fine-tuned model
// loses to the no-pretrained baseline, saying why as far as the numbers tell.
//
//   tsx scripts/demo-summary.ts HOME run-baseline.json run-minilm.json run-m3e.json
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { bootstrapIntervals, type Interval } from '../main/ml/eval/bootstrap'
import { argmax } from '../main/ml/eval/metrics'
import { cjkShare } from '../main/ml/tokenize/cjk-coverage'
import { loadTokenizer } from '../main/ml/tokenize/load-tokenizer'
// Above the Chinese-capable rule's [UNK] share, a model cannot read a language's texts.
import { MAX_UNK_SHARE as UNK_LIMIT } from '../main/services/model-choice'

interface RunJson {
  run_id: number
  model: string
  labels: string[]
  config: { learningRate: number; epochs: number }
  test: { macro_f1: number }
}
interface DatasetJson {
  labels: string[]
  train: { texts: string[] }
  test: { texts: string[]; labels: number[] }
}
interface TestPredictions {
  yTrue: number[]
  probs: number[][]
}

type Language = 'zh' | 'en'
const LANGUAGES: { key: Language; title: string }[] = [
  { key: 'zh', title: 'Chinese 中文' },
  { key: 'en', title: 'English' },
]
/** A text counts as Chinese when at least this share of its non-space characters is CJK. */
const CHINESE_TEXT_SHARE = 0.3

const languageOf = (text: string): Language =>
  cjkShare([text]) >= CHINESE_TEXT_SHARE ? 'zh' : 'en'

interface Scored {
  /** The base model ('baseline' for the no-pretrained model). */
  model: string
  /** The model and its recipe, as the table shows it. */
  name: string
  learningRate: number
  train: number
  /** Per language: the share of the test texts' tokens the model's tokenizer makes [UNK]. */
  unkShare: Map<Language, number>
  all: Interval
  byLanguage: Map<Language, Interval & { n: number }>
}

async function score(home: string, runFile: string): Promise<Scored> {
  const run = JSON.parse(readFileSync(runFile, 'utf8')) as RunJson
  const dir = join(home, 'runs', String(run.run_id))
  const data = JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8')) as DatasetJson
  const preds = JSON.parse(
    readFileSync(join(dir, 'test-predictions.json'), 'utf8'),
  ) as TestPredictions
  const texts = data.test.texts
  if (texts.length !== preds.yTrue.length) {
    throw new Error(
      `run ${run.run_id}: ${texts.length} test texts but ${preds.yTrue.length} predictions`,
    )
  }
  const yPred = preds.probs.map((p) => argmax(p))
  const k = data.labels.length
  const byLanguage = new Map<Language, Interval & { n: number }>()
  for (const { key } of LANGUAGES) {
    const idx = texts.map((t, i) => (languageOf(t) === key ? i : -1)).filter((i) => i >= 0)
    if (idx.length === 0) continue
    const ci = bootstrapIntervals(
      idx.map((i) => preds.yTrue[i]),
      idx.map((i) => yPred[i]),
      k,
    ).macroF1
    byLanguage.set(key, { ...ci, n: idx.length })
  }
  // BERT runs record their base model's folder; the baseline has no tokenizer to ask.
  const bundle = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    encoder?: { modelDir?: string }
  }
  const modelDir = bundle.encoder?.modelDir
  const unkShare = new Map<Language, number>()
  if (modelDir) {
    const tok = await loadTokenizer(modelDir)
    for (const { key } of LANGUAGES) {
      let tokens = 0
      let unknown = 0
      for (const text of texts.filter((t) => languageOf(t) === key)) {
        const ids = tok.encode(text, 512)
        const content = ids.slice(tok.prefixIds.length, ids.length - tok.suffixIds.length)
        tokens += content.length
        unknown += content.filter((id) => id === tok.unkId).length
      }
      if (tokens > 0) unkShare.set(key, unknown / tokens)
    }
  }
  return {
    model: run.model,
    name:
      run.model === 'baseline'
        ? 'baseline'
        : `${run.model}, lr ${run.config.learningRate.toExponential(0)}, ≤${run.config.epochs} epochs`,
    learningRate: run.config.learningRate,
    train: data.train.texts.length,
    unkShare,
    all: bootstrapIntervals(preds.yTrue, yPred, k).macroF1,
    byLanguage,
  }
}

const fmt = (c: Interval) =>
  `${c.estimate.toFixed(3)} [${c.lower.toFixed(2)}, ${c.upper.toFixed(2)}]`.padEnd(22)

/** Why a fine-tuned model scores below the baseline on one language, from what we can measure. */
function why(model: Scored, base: Scored, lang: Language, runs: Scored[]): string {
  const m = model.byLanguage.get(lang)!
  const b = base.byLanguage.get(lang)!
  const unk = model.unkShare.get(lang) ?? 0
  if (unk > UNK_LIMIT) {
    return `its tokenizer turns ${(100 * unk).toFixed(0)} % of these texts' tokens into [UNK] (words its vocabulary lacks), so that much of each text is lost to it`
  }
  // The same model fine-tuned faster scoring higher is evidence that this recipe underfits.
  const faster = runs.find(
    (r) =>
      r.model === model.model &&
      r.learningRate > model.learningRate &&
      (r.byLanguage.get(lang)?.estimate ?? 0) > m.estimate,
  )
  const overlap = m.upper >= b.lower && b.upper >= m.lower
  const parts = [
    faster
      ? `lr ${model.learningRate.toExponential(0)} underfits ${model.train} training texts (with lr ${faster.learningRate.toExponential(0)} the same model scores ${faster.byLanguage.get(lang)!.estimate.toFixed(3)})`
      : `${model.train} training texts are few for fine-tuning`,
    overlap
      ? `the intervals overlap, so on ${m.n} test texts the difference may be chance`
      : `the gap is larger than the ${m.n} test texts' chance variation`,
  ]
  return parts.join('; ')
}

async function main(): Promise<void> {
  const [home, baseFile, ...tuned] = process.argv.slice(2)
  const base = await score(home, baseFile)
  const runs = [base]
  for (const f of tuned) runs.push(await score(home, f))
  const counts = LANGUAGES.map(
    ({ key, title }) => `${base.byLanguage.get(key)?.n ?? 0} ${title}`,
  ).join(' and ')
  console.log(
    `Test macro-F1 with 95 % bootstrap intervals (stratified, 2,000 resamples). The sample's test split` +
      ` holds only ${counts} texts, so the intervals are wide: read them, not the third decimal.`,
  )
  console.log(
    `${'model'.padEnd(42)}${'all texts'.padEnd(22)}${LANGUAGES.map((l) => l.title.padEnd(22)).join('')}`,
  )
  for (const r of runs) {
    const cols = LANGUAGES.map((l) => {
      const c = r.byLanguage.get(l.key)
      return c ? fmt(c) : '—'.padEnd(22)
    })
    console.log(`${r.name.padEnd(42)}${fmt(r.all)}${cols.join('')}`)
  }
  for (const r of runs.slice(1)) {
    for (const { key, title } of LANGUAGES) {
      const m = r.byLanguage.get(key)
      const b = base.byLanguage.get(key)
      if (!m || !b || m.estimate >= b.estimate) continue
      console.log(
        `Note: ${r.name} scores below the baseline on ${title} texts (${m.estimate.toFixed(3)} vs ${b.estimate.toFixed(3)}): ${why(r, base, key, runs)}.`,
      )
    }
  }
}

await main()
