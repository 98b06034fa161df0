// Predicting a whole file with a trained run: read its texts (any importable format), predict in
// batches with progress, write text + predicted label + one probability column per label as CSV or
// XLSX (formula-safe). The 'predict-file' job and `cts predict` both call predictFile.
import { readFileSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CtsError } from '../shared'
import type { FileRef } from '../../preload/contract/common'
import type { PredictFileResultDto } from '../../preload/contract/predict'
import { sourceReader } from '../data/open-source'
import type { SourceInput } from '../data/types'
import { loadClassifierBundle } from '../ml/infer/classifier-bundle'
import type { Quantization } from '../ml/infer/quantize'
import { resolveQuantization } from '../ml/infer/quantize-check'
import type { JobContext } from './job-worker'
import { JobCancelledError } from './job-worker'
import { writePredictionRows, type PredictionFormat } from './prediction-writer'

/** Texts per model call; progress is reported after each. */
const PREDICT_CHUNK = 256

export interface PredictFileOptions {
  /** The run folder (model.onnx, model.json, tokenizer/). */
  bundleDir: string
  input: SourceInput
  /** Column holding the texts; the importer's suggestion when absent. */
  textColumn?: string
  format: PredictionFormat
  outPath: string
  /** Absent: int8 where the run's dev check passed, else fp32 (quantize-check.ts). */
  quantize?: Quantization
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

export interface PredictFileOutcome {
  rows: number
  /** Rows without a text (reported, not predicted). */
  skipped: number
  labels: string[]
  columns: string[]
}

/** FileRef (bridge) → the importer's input. */
export function sourceInputOf(file: FileRef): SourceInput {
  if ('path' in file) return { path: file.path }
  return { name: file.name, bytes: new Uint8Array(Buffer.from(file.contentBase64, 'base64')) }
}

async function readTexts(
  input: SourceInput,
  textColumn: string | undefined,
): Promise<{ texts: string[]; skipped: number }> {
  const preview = await sourceReader.preview(input, {})
  const columns = preview.columns ?? []
  if (textColumn !== undefined && columns.length > 0 && !columns.includes(textColumn)) {
    throw new CtsError(
      'bad-input',
      `"${textColumn}" is not a column of this file. Its columns are: ${columns.join(', ')}.`,
    )
  }
  const text = textColumn ?? preview.suggestedMapping.text
  if (!text) throw new CtsError('bad-input', 'Choose the column that holds the texts.')
  const out = { texts: [] as string[], skipped: 0 }
  for await (const r of sourceReader.records(input, {}, { text })) {
    if ('error' in r) out.skipped++
    else out.texts.push(r.text)
  }
  return out
}

/** Predict every text of a file and write the result to `outPath` (atomically). */
export async function predictFile(o: PredictFileOptions): Promise<PredictFileOutcome> {
  const { texts, skipped } = await readTexts(o.input, o.textColumn)
  if (texts.length === 0) throw new CtsError('bad-input', 'The file holds no texts to predict.')
  const model = await loadClassifierBundle(o.bundleDir, 'cpu', {
    quantization: resolveQuantization(o.bundleDir, o.quantize),
  })
  const k = model.labels.length
  const probs = new Float32Array(texts.length * k)
  try {
    for (let at = 0; at < texts.length; at += PREDICT_CHUNK) {
      if (o.signal?.aborted) throw new JobCancelledError()
      const chunk = await model.predict(texts.slice(at, at + PREDICT_CHUNK))
      probs.set(chunk, at * k)
      o.onProgress?.(Math.min(at + PREDICT_CHUNK, texts.length), texts.length)
    }
  } finally {
    await model.release()
  }
  const columns = await writePredictionRows(o.format, o.outPath, model.labels, texts, probs)
  return { rows: texts.length, skipped, labels: model.labels, columns }
}

export interface PredictFileJobInput {
  bundleDir: string
  file: FileRef
  textColumn?: string
  format: PredictionFormat
  /** Write here; absent → the bytes come back base64 in the result. */
  outPath?: string
  fileName: string
  quantize?: Quantization
}

export async function runPredictFileJob(
  raw: unknown,
  ctx: JobContext<'predict-file'>,
): Promise<PredictFileResultDto> {
  const input = raw as PredictFileJobInput
  ctx.report({ phase: 'reading' })
  const temp = input.outPath ? undefined : await mkdtemp(join(tmpdir(), 'cts-predict-'))
  const outPath = input.outPath ?? join(temp as string, input.fileName)
  try {
    const r = await predictFile({
      bundleDir: input.bundleDir,
      input: sourceInputOf(input.file),
      textColumn: input.textColumn,
      format: input.format,
      outPath,
      quantize: input.quantize,
      signal: ctx.signal,
      onProgress: (step, total) => ctx.report({ phase: 'predicting', step, total }),
    })
    const result: PredictFileResultDto = {
      rows: r.rows,
      skipped: r.skipped,
      fileName: input.fileName,
      columns: r.columns,
    }
    if (input.outPath) result.path = input.outPath
    else result.contentBase64 = readFileSync(outPath).toString('base64')
    return result
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true })
  }
}
