// The Triton model-repository layout of an export (issue #17 point 7): the exact files, the same
// ONNX bytes as the export's model.onnx, and config.pbtxt parsed as Triton's ModelConfig protobuf
// (tritonclient's model_config_pb2) with exact fields — BERT fp32 and int8, and the baseline.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readArtifact } from '../../../main/shared/artifact-crypto'
import { exportModelFolder, type ExportRunInfo } from '../../../main/ml/infer/model-export'
import { tritonConfigText, tritonModelConfig } from '../../../main/ml/infer/triton-config'
import {
  tempDir,
  writeBaselineBundle,
  writeBertBundle,
  writeTinyBertFolder,
} from '../ml/infer/bundles'
import { REPO_ROOT } from '../cli/cts-process'
import { parseTritonConfig } from './triton-parse'

const RUN: ExportRunInfo = {
  runId: 7,
  baseModel: 'tiny',
  dataHash: 'sha256:abc123',
  seed: 42,
  provider: 'cpu',
  createdAt: '2026-12-06T00:00:00.000Z',
  finishedAt: '2026-12-06T00:01:00.000Z',
  hyperparameters: {},
  test: null,
}

/** The parsed config's fields that do not depend on the model's inputs. */
const COMMON = {
  name: 'cts_run_7',
  platform: 'onnxruntime_onnx',
  backend: 'onnxruntime',
  max_batch_size: 64,
  dynamic_batching: { preferred_batch_size: [16, 32], max_queue_delay_microseconds: '2000' },
  instance_group: [{ count: 1, kind: 'KIND_CPU' }],
}
/** logits and probs over the two bilingual labels; probs names the labels file. */
const OUTPUTS = [
  { name: 'logits', data_type: 'TYPE_FP32', dims: ['2'] },
  { name: 'probs', data_type: 'TYPE_FP32', dims: ['2'], label_filename: 'labels.txt' },
]
const BERT_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({
  name,
  data_type: 'TYPE_INT64',
  dims: ['-1'],
}))

describe('Triton layout of an export', () => {
  it('BERT: exact files, the same model.onnx, config.pbtxt parses as Triton ModelConfig', async () => {
    const bundle = await writeBertBundle(writeTinyBertFolder(), { maxLength: 16 })
    const out = join(tempDir('cts-triton-'), 'export')
    const files = exportModelFolder(bundle, out, RUN, { quantize: 'none', triton: true })
    expect(files).toEqual([
      'MODEL_CARD.md',
      'inference.json',
      'labels.json',
      'model.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
      'triton/cts_run_7/1/model.onnx',
      'triton/cts_run_7/README.txt',
      'triton/cts_run_7/config.pbtxt',
      'triton/cts_run_7/labels.txt',
      'vocab.txt',
    ])
    const model = join(out, 'triton/cts_run_7')
    expect(readFileSync(join(model, '1/model.onnx'))).toEqual(readFileSync(join(out, 'model.onnx')))
    expect(readFileSync(join(model, 'labels.txt'), 'utf8')).toBe('健康\n疾病\n')
    expect(parseTritonConfig(join(model, 'config.pbtxt'))).toEqual({
      ...COMMON,
      input: BERT_INPUTS,
      output: OUTPUTS,
    })
    const readme = readFileSync(join(model, 'README.txt'), 'utf8')
    expect(readme).toContain('Tokenisation happens OUTSIDE Triton: the model takes ids, not text.')
    expect(readme).toContain('tokenizer.json (+ vocab.txt, tokenizer_config.json)')
    expect(readme).toContain('max_length=16, padding="max_length"')
    expect(readme).toContain('token_type_ids are all 0.')
  }, 60_000)

  it('BERT int8: the int8 model.onnx under the same inputs and outputs', async () => {
    const bundle = await writeBertBundle(writeTinyBertFolder(), { maxLength: 16 })
    const out = join(tempDir('cts-triton-'), 'export')
    exportModelFolder(bundle, out, RUN, { quantize: 'int8', triton: true })
    const model = join(out, 'triton/cts_run_7')
    const onnx = readFileSync(join(model, '1/model.onnx'))
    expect(onnx).toEqual(readFileSync(join(out, 'model.onnx')))
    expect(onnx.includes('DynamicQuantizeMatMul')).toBe(true)
    expect(parseTritonConfig(join(model, 'config.pbtxt'))).toEqual({
      ...COMMON,
      input: BERT_INPUTS,
      output: OUTPUTS,
    })
    expect(readFileSync(join(model, 'README.txt'), 'utf8')).toContain(
      'This model is int8 (com.microsoft DynamicQuantizeMatMul)',
    )
  }, 60_000)

  it('baseline: int64 ids and float32 mask over a variable bag; featurizer.json named', () => {
    const bundle = writeBaselineBundle({ seed: 5 })
    const out = join(tempDir('cts-triton-'), 'export')
    const files = exportModelFolder(bundle, out, RUN, { triton: true })
    expect(files.filter((f) => f.startsWith('triton/'))).toEqual([
      'triton/cts_run_7/1/model.onnx',
      'triton/cts_run_7/README.txt',
      'triton/cts_run_7/config.pbtxt',
      'triton/cts_run_7/labels.txt',
    ])
    const model = join(out, 'triton/cts_run_7')
    expect(parseTritonConfig(join(model, 'config.pbtxt'))).toEqual({
      ...COMMON,
      input: [
        { name: 'ids', data_type: 'TYPE_INT64', dims: ['-1'] },
        { name: 'mask', data_type: 'TYPE_FP32', dims: ['-1'] },
      ],
      output: OUTPUTS,
    })
    expect(readFileSync(join(model, 'README.txt'), 'utf8')).toContain(
      'Pad the bag to 256 (maxFeatures) with id 0 and mask 0',
    )
  })

  it("the parser is Triton's own: a field ModelConfig lacks is refused", () => {
    const bad = join(tempDir('cts-triton-'), 'config.pbtxt')
    writeFileSync(bad, 'name: "m"\nmax_batch: 8\n')
    expect(() => parseTritonConfig(bad)).toThrow(/has no field named "max_batch"/)
  })

  it('leaves the export as before without --triton', () => {
    const bundle = writeBaselineBundle({ seed: 5 })
    const out = join(tempDir('cts-triton-'), 'export')
    expect(exportModelFolder(bundle, out, RUN).some((f) => f.startsWith('triton'))).toBe(false)
  })

  it('writes the config text Triton reads (the exact pbtxt of a two-input model)', async () => {
    const bundle = writeBaselineBundle({ seed: 5 })
    const onnx = readArtifact(join(bundle, 'model.onnx'))
    expect(tritonConfigText(tritonModelConfig('m', onnx))).toBe(
      readFileSync(join(REPO_ROOT, 'test/fixtures/triton/baseline-config.pbtxt'), 'utf8'),
    )
  })
})
