// The int8 default rule (main/ml/infer/quantize-check.ts): a run predicts, serves and exports int8
// by default only where its own dev check passed and was recorded; asked-for values always win.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeModel } from '../../../../main/ml/graph'
import { exportModelFolder, type ExportRunInfo } from '../../../../main/ml/infer/model-export'
import {
  checkInt8OnDev,
  parseQuantization,
  readQuantizationRecord,
  resolveQuantization,
} from '../../../../main/ml/infer/quantize-check'
import { loadClassifierBundle } from '../../../../main/ml/infer/classifier-bundle'
import { BUNDLE_MODEL_INT8, METRICS_ARTIFACT } from '../../../../main/shared'
import { tempDir, writeBertBundle, writeTinyBertFolder } from './bundles'

const DEV = {
  texts: ['发热咳嗽三天', 'routine checkup', '胸痛 at night', 'no complaints today', '腹泻'],
  labels: [1, 0, 1, 0, 1],
}
const made: string[] = []
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** The run's metrics.json (its TrainJobResult) with an int8 check that passed or not. */
function record(dir: string, passed: boolean): void {
  const int8 = { devMacroF1Fp32: 0.9, devMacroF1Int8: passed ? 0.9 : 0.8, passed, devTexts: 50 }
  writeFileSync(join(dir, METRICS_ARTIFACT), JSON.stringify({ epochs: [], quantization: { int8 } }))
}

describe('resolveQuantization', () => {
  it('stays fp32 without a record, and with a record that failed', () => {
    const dir = tempDir()
    made.push(dir)
    expect(resolveQuantization(dir)).toBe('none')
    record(dir, false)
    expect(resolveQuantization(dir)).toBe('none')
  })

  it('is int8 where the run recorded a passed dev check', () => {
    const dir = tempDir()
    made.push(dir)
    record(dir, true)
    expect(resolveQuantization(dir)).toBe('int8')
  })

  it('lets the asked-for value win over the record', () => {
    const dir = tempDir()
    made.push(dir)
    expect(resolveQuantization(dir, 'int8')).toBe('int8')
    record(dir, true)
    expect(resolveQuantization(dir, 'none')).toBe('none')
  })

  it('ignores a record it cannot read', () => {
    const dir = tempDir()
    made.push(dir)
    writeFileSync(join(dir, METRICS_ARTIFACT), '{"quantization": ')
    expect(readQuantizationRecord(dir)).toBeNull()
    expect(resolveQuantization(dir)).toBe('none')
  })
})

describe('parseQuantization', () => {
  it('accepts int8, none and nothing; names the allowed values otherwise', () => {
    expect(parseQuantization('int8')).toBe('int8')
    expect(parseQuantization('none')).toBe('none')
    expect(parseQuantization(undefined)).toBeUndefined()
    expect(() => parseQuantization('fp16')).toThrow(
      /--quantize must be int8 or none \(got "fp16"\)/,
    )
  })
})

describe('checkInt8OnDev', () => {
  it('saves the int8 model with the run and scores fp32 and int8 on the dev texts', async () => {
    const dir = await writeBertBundle(writeTinyBertFolder('cls', 2, 9), { maxLength: 16 })
    made.push(dir)
    const r = await checkInt8OnDev(dir, 2, DEV)
    expect(r.int8.devTexts).toBe(5)
    expect(r.int8.passed).toBe(r.int8.devMacroF1Fp32 - r.int8.devMacroF1Int8 <= 0.005)
    // The int8 model stays with the run, so later loads read it instead of quantizing again.
    expect(
      decodeModel(readFileSync(join(dir, BUNDLE_MODEL_INT8))).graph.node.map((n) => n.op_type),
    ).toContain('DynamicQuantizeMatMul')
    // The int8 model predicts the same classes as fp32 on this tiny model.
    expect(r.int8.devMacroF1Int8).toBe(r.int8.devMacroF1Fp32)
  })
})

describe('exportModelFolder with quantization', () => {
  const ops = (dir: string) =>
    decodeModel(readFileSync(join(dir, 'model.onnx'))).graph.node.map((n) => n.op_type)

  it('exports fp32 unchanged by default and int8 when asked, saying so in inference.json', async () => {
    const bundle = await writeBertBundle(writeTinyBertFolder(), { maxLength: 16 })
    const parent = tempDir()
    made.push(bundle, parent)
    const info: ExportRunInfo = {
      runId: 1,
      baseModel: 'tiny-bert',
      dataHash: 'sha256:q',
      seed: 1,
      provider: 'cpu',
      createdAt: '2026-12-06T00:00:00.000Z',
      finishedAt: '2026-12-06T00:01:00.000Z',
      hyperparameters: { epochs: 1 },
      test: null,
    }
    exportModelFolder(bundle, join(parent, 'fp32'), info)
    expect(readFileSync(join(parent, 'fp32', 'model.onnx'))).toEqual(
      readFileSync(join(bundle, 'model.onnx')),
    )
    const fp32Inference = JSON.parse(readFileSync(join(parent, 'fp32', 'inference.json'), 'utf8'))
    expect(fp32Inference.quantization).toBeUndefined()

    exportModelFolder(bundle, join(parent, 'int8'), info, { quantize: 'int8' })
    expect(ops(join(parent, 'int8'))).toContain('DynamicQuantizeMatMul')
    const inference = JSON.parse(readFileSync(join(parent, 'int8', 'inference.json'), 'utf8'))
    expect(inference.quantization.kind).toBe('int8 dynamic')

    // A run whose dev check passed exports int8 without being asked.
    record(bundle, true)
    exportModelFolder(bundle, join(parent, 'default'), info)
    expect(ops(join(parent, 'default'))).toContain('DynamicQuantizeMatMul')
    expect(existsSync(join(parent, 'default', METRICS_ARTIFACT))).toBe(false)
  })
})

describe('loadClassifierBundle with quantization', () => {
  it('predicts with the int8 model close to fp32', async () => {
    const dir = await writeBertBundle(writeTinyBertFolder('cls', 2, 4), { maxLength: 16 })
    made.push(dir)
    const fp32 = await loadClassifierBundle(dir, 'cpu', { threads: 1 })
    const int8 = await loadClassifierBundle(dir, 'cpu', { quantization: 'int8', threads: 1 })
    const a = await fp32.predict(DEV.texts)
    const b = await int8.predict(DEV.texts)
    await Promise.all([fp32.release(), int8.release()])
    expect(b).toHaveLength(a.length)
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(0.02)
  })
})
