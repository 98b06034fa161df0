// Whether a run may predict with its int8 model: after training, the quantized model is scored on
// the run's own dev split beside fp32 and the outcome is recorded in the run record (metrics.json,
// `quantization`); predict, serve and export default to int8 only where that check passed.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CtsError, METRICS_ARTIFACT } from '../../shared'
import { readArtifact } from '../../shared/artifact-crypto'
import { argmaxRows, classificationReport } from '../eval/metrics'
import type { LabelledTexts } from '../train/trainer'
import { loadClassifierBundle } from './classifier-bundle'
import { QUANTIZATIONS, saveInt8Model, type Quantization } from './quantize'

/** How much dev macro-F1 int8 may lose against fp32 and still be the default (0.5 point). */
export const INT8_MAX_F1_DROP = 0.005

/** The check as the run records it (TrainJobResult.quantization, the same shape). */
export interface QuantizationRecord {
  int8: {
    devMacroF1Fp32: number
    devMacroF1Int8: number
    /** devMacroF1Fp32 − devMacroF1Int8 ≤ INT8_MAX_F1_DROP. */
    passed: boolean
    devTexts: number
  }
}

async function devMacroF1(
  runDir: string,
  dev: LabelledTexts,
  numClasses: number,
  quantization: Quantization,
  batchSize: number,
): Promise<number> {
  const model = await loadClassifierBundle(runDir, 'cpu', { quantization })
  try {
    const probs = await model.predict(dev.texts, batchSize)
    const classes = [...Array(numClasses).keys()]
    return classificationReport(dev.labels, argmaxRows(probs, numClasses), classes).macro.f1
  } finally {
    await model.release()
  }
}

/**
 * Save the run's int8 model beside model.onnx and score fp32 and int8 on `dev`; the train job puts
 * the result in its TrainJobResult, which becomes the run's metrics.json.
 */
export async function checkInt8OnDev(
  runDir: string,
  numClasses: number,
  dev: LabelledTexts,
  batchSize = 64,
): Promise<QuantizationRecord> {
  saveInt8Model(runDir)
  const fp32 = await devMacroF1(runDir, dev, numClasses, 'none', batchSize)
  const int8 = await devMacroF1(runDir, dev, numClasses, 'int8', batchSize)
  return {
    int8: {
      devMacroF1Fp32: fp32,
      devMacroF1Int8: int8,
      passed: fp32 - int8 <= INT8_MAX_F1_DROP,
      devTexts: dev.texts.length,
    },
  }
}

/** The check recorded in a run folder's metrics.json, or null (older runs, no dev split, unreadable). */
export function readQuantizationRecord(runDir: string): QuantizationRecord | null {
  const path = join(runDir, METRICS_ARTIFACT)
  if (!existsSync(path)) return null
  try {
    const r = (
      JSON.parse(readArtifact(path).toString('utf8')) as { quantization?: QuantizationRecord }
    ).quantization
    return typeof r?.int8?.passed === 'boolean' ? r : null
  } catch {
    return null
  }
}

/**
 * The quantization to predict with: the one asked for, else int8 where the run's dev check passed,
 * else fp32 ('none').
 */
export function resolveQuantization(runDir: string, asked?: Quantization): Quantization {
  if (asked !== undefined) return asked
  return readQuantizationRecord(runDir)?.int8.passed ? 'int8' : 'none'
}

/** A --quantize value, checked; `flag` names it in the message. */
export function parseQuantization(
  value: string | undefined,
  flag = '--quantize',
): Quantization | undefined {
  if (value === undefined) return undefined
  if ((QUANTIZATIONS as readonly string[]).includes(value)) return value as Quantization
  throw new CtsError(
    'bad-input',
    `${flag} must be ${QUANTIZATIONS.join(' or ')} (got "${value}"): int8 is faster and smaller, none keeps the trained fp32 model.`,
  )
}
