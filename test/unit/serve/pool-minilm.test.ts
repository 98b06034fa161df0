// The pool of model threads gives exactly the probabilities of one model thread for int8 MiniLM
// (issue #13 point 3): the same texts, alone and merged, whatever the sessions' intra-op threads.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyTokenizerFiles, saveClassifierBundle } from '../../../main/ml/infer/classifier-bundle'
import { createBertAdapter } from '../../../main/ml/models/bert-adapter'
import { loadRunPredictorInWorker } from '../../../main/serve/worker-predictor'

const MINILM = 'resources/models/all-MiniLM-L6-v2'
const TEXTS = [
  'severe chest pain with shortness of breath',
  '体检正常，无不适',
  'persistent cough with yellow sputum and fever for two weeks',
  '胸闷气短，活动后加剧，夜间不能平卧',
  'routine checkup normal and healthy',
  '反复头痛伴恶心呕吐三天',
  'Patient reports mild abdominal pain after meals; no vomiting.',
  '血压控制良好，睡眠正常',
  '发热',
  'a',
]
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cts-pool-'))
  const adapter = await createBertAdapter(MINILM, {
    numClasses: 2,
    maxLength: 128,
    head: 'mean',
    initSeed: 1,
  })
  copyTokenizerFiles(MINILM, dir)
  saveClassifierBundle(dir, adapter, ['routine', 'urgent'])
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('int8 MiniLM in a pool of model threads', () => {
  it('answers exactly as one model thread does', async () => {
    const base = { quantize: 'int8', spinning: false, bundleDir: dir } as const
    const one = await loadRunPredictorInWorker('', 0, undefined, { ...base, workers: 1 })
    const pools = [
      await loadRunPredictorInWorker('', 0, undefined, { ...base, workers: 2 }),
      await loadRunPredictorInWorker('', 0, undefined, { ...base, workers: 2, threads: 1 }),
    ]
    try {
      const want = [await one.predict(TEXTS), await one.predict(TEXTS.slice(0, 3))]
      for (const pool of pools) {
        expect(pool.concurrency).toBe(2)
        const got = await Promise.all([pool.predict(TEXTS), pool.predict(TEXTS.slice(0, 3))])
        expect(got).toEqual(want)
      }
    } finally {
      await Promise.all([one, ...pools].map((p) => p.release()))
    }
  }, 60_000)
})
