// After training a BERT run, the job scores its int8 model on the run's own dev split beside fp32
// and records the outcome in the run record (metrics.json, `quantization`), beside the saved int8
// model: the rule predict, serve and export follow to default to int8 (issue #13). A tiny random
// BERT trained for one epoch.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  INT8_MAX_F1_DROP,
  resolveQuantization,
  type QuantizationRecord,
} from '../../../main/ml/infer/quantize-check'
import { BUNDLE_MODEL_INT8, METRICS_ARTIFACT } from '../../../main/shared'
import { tinyBertWorkspace, trainTinyBertRun } from './tiny-bert-run'

const { modelDir, services } = tinyBertWorkspace('cts-quantize-run-')

describe('the int8 check of a BERT run', () => {
  it('is recorded in the run record from the dev split, and sets the default', async () => {
    const runDir = await trainTinyBertRun(services(), modelDir)
    const record = (
      JSON.parse(readFileSync(join(runDir, METRICS_ARTIFACT), 'utf8')) as {
        quantization: QuantizationRecord
      }
    ).quantization
    expect(existsSync(join(runDir, BUNDLE_MODEL_INT8))).toBe(true)
    const { devMacroF1Fp32, devMacroF1Int8, passed, devTexts } = record.int8
    expect(devTexts).toBeGreaterThan(0)
    expect(devMacroF1Fp32).toBeGreaterThanOrEqual(0)
    expect(devMacroF1Int8).toBeGreaterThanOrEqual(0)
    expect(passed).toBe(devMacroF1Fp32 - devMacroF1Int8 <= INT8_MAX_F1_DROP)
    expect(resolveQuantization(runDir)).toBe(passed ? 'int8' : 'none')
  }, 120_000)
})
