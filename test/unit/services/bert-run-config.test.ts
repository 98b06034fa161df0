// A BERT run keeps the base model's config.json in its folder, so explanations still work once the
// base model folder is gone (a tiny random BERT trained for one epoch in a job process).
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadExplainer } from '../../../main/ml/infer/attributions'
import { tinyBertWorkspace, trainTinyBertRun } from './tiny-bert-run'

const { modelDir, services } = tinyBertWorkspace('cts-bert-run-config-')

describe('a BERT run folder', () => {
  it('carries the base model config.json and explains after the base model is deleted', async () => {
    const baseConfig = readFileSync(join(modelDir, 'config.json'), 'utf8')
    const runDir = await trainTinyBertRun(services(), modelDir)
    expect(readFileSync(join(runDir, 'config.json'), 'utf8')).toBe(baseConfig)

    rmSync(modelDir, { recursive: true, force: true })
    expect(existsSync(modelDir)).toBe(false)
    const explainer = await loadExplainer(runDir)
    try {
      const e = await explainer.explain('fever and cough 发热')
      expect(explainer.kind).toBe('bert')
      expect(e.probabilities).toHaveLength(2)
      expect(e.probabilities[0] + e.probabilities[1]).toBeCloseTo(1, 5)
      expect(e.tokens.length).toBeGreaterThan(0)
    } finally {
      await explainer.release()
    }
  }, 120_000)
})
