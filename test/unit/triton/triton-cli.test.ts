// `cts export-model --triton` end to end on a real trained run (tiny BERT on the bilingual fixture):
// the model Triton would load (triton/<model>/1/model.onnx), fed with exactly the input names and
// data types of config.pbtxt (as Triton parses it) and the export's tokenizer, gives `cts predict`'s
// probabilities for the same texts within 1e-5 — fp32 and int8.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { AutoTokenizer, env } from '@huggingface/transformers'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCts } from '../cli/cts-process'
import { writeTinyBertFolder } from '../ml/infer/bundles'
import { parseTritonConfig } from './triton-parse'

env.allowRemoteModels = false
env.localModelPath = '/'

const TEXTS = ['severe chest pain with shortness of breath', '体检正常，无不适']
const MAX_LENGTH = 16
const home = mkdtempSync(join(tmpdir(), 'cts-triton-cli-'))
const modelDir = writeTinyBertFolder()

beforeAll(async () => {
  const { stdout } = await runCts(home, [
    ...['train', '--train', 'test/fixtures/train/bilingual-health.csv', '--model', modelDir],
    ...['--seed', '3', '--device', 'cpu', '--epochs', '1', '--max-length', String(MAX_LENGTH)],
    '--json',
  ])
  expect(JSON.parse(stdout)).toMatchObject({ run_id: 1, status: 'success' })
}, 180_000)

afterAll(() => {
  rmSync(home, { recursive: true, force: true })
  rmSync(dirname(modelDir), { recursive: true, force: true })
})

/** `cts predict`'s probabilities per text, in the order of `labels`. */
async function ctsPredict(quantize: string, labels: string[]): Promise<number[][]> {
  const input = join(home, 'texts.csv')
  writeFileSync(input, 'text\n' + TEXTS.join('\n') + '\n')
  const out = join(home, `predicted-${quantize}.csv`)
  await runCts(home, ['predict', '--run', '1', '--in', input, '--out', out, '--quantize', quantize])
  const [header, ...rows] = readFileSync(out, 'utf8')
    .replace(/^\ufeff/, '')
    .trim()
    .split(/\r?\n/)
  const columns = header.split(',')
  return rows.map((line) => {
    const cells = line.split(',')
    return labels.map((l) => Number(cells[columns.findIndex((c) => c.includes(l))]))
  })
}

/** Triton's data types → onnxruntime tensor types (the two the exported graphs use). */
const ORT_TYPE: Record<string, 'int64' | 'float32'> = { TYPE_INT64: 'int64', TYPE_FP32: 'float32' }

describe('cts export-model --triton', () => {
  for (const quantize of ['none', 'int8']) {
    it(`${quantize}: the Triton model with config.pbtxt's inputs gives cts predict's probabilities`, async () => {
      const out = join(home, `export-${quantize}`)
      const { stdout } = await runCts(home, [
        ...['export-model', '--run', '1', '--out', out, '--quantize', quantize, '--triton'],
        '--json',
      ])
      const result = JSON.parse(stdout) as { files: string[] }
      expect(result.files.filter((f) => f.startsWith('triton/'))).toEqual([
        'triton/cts_run_1/1/model.onnx',
        'triton/cts_run_1/README.txt',
        'triton/cts_run_1/config.pbtxt',
        'triton/cts_run_1/labels.txt',
      ])
      const model = join(out, 'triton/cts_run_1')
      const config = parseTritonConfig(join(model, 'config.pbtxt')) as {
        max_batch_size: number
        input: { name: string; data_type: string; dims: string[] }[]
        output: { name: string; data_type: string; dims: string[]; label_filename?: string }[]
      }
      expect(config.input.map((i) => [i.name, i.data_type, i.dims])).toEqual([
        ['input_ids', 'TYPE_INT64', ['-1']],
        ['attention_mask', 'TYPE_INT64', ['-1']],
        ['token_type_ids', 'TYPE_INT64', ['-1']],
      ])
      const probsOut = config.output.find((o) => o.label_filename)!
      expect(probsOut).toEqual({
        name: 'probs',
        data_type: 'TYPE_FP32',
        dims: ['2'],
        label_filename: 'labels.txt',
      })
      const labels = readFileSync(join(model, probsOut.label_filename!), 'utf8').trim().split('\n')
      expect(labels).toEqual(['健康', '疾病'])

      // As README.txt says: the export's tokenizer, every text padded to the maximum length.
      const tokenizer = await AutoTokenizer.from_pretrained(out)
      const enc = tokenizer(TEXTS, {
        padding: 'max_length',
        truncation: true,
        max_length: MAX_LENGTH,
      }) as unknown as Record<string, { data: BigInt64Array; dims: number[] }>
      const feeds: Record<string, ort.Tensor> = {}
      for (const input of config.input) {
        const t = enc[input.name]
        const type = ORT_TYPE[input.data_type]
        const data =
          type === 'int64' ? BigInt64Array.from(t.data) : Float32Array.from(t.data, Number)
        expect(t.dims).toEqual([TEXTS.length, MAX_LENGTH])
        feeds[input.name] = new ort.Tensor(type, data, t.dims)
      }
      const session = await ort.InferenceSession.create(join(model, '1/model.onnx'))
      const res = await session.run(feeds)
      await session.release()
      const probs = res[probsOut.name].data as Float32Array
      const expected = await ctsPredict(quantize, labels)
      expect(expected).toHaveLength(TEXTS.length)
      expected.forEach((row, i) =>
        row.forEach((p, j) =>
          expect(Math.abs(probs[i * labels.length + j] - p)).toBeLessThanOrEqual(1e-5),
        ),
      )
    }, 120_000)
  }
})
