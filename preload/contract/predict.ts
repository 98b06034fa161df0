// Prediction with a trained run: one text (probabilities + per-token attributions), a whole file
// (a 'predict-file' job writing CSV/XLSX), and exporting the run's model as a portable folder.
import { z } from 'zod'
import { fileRefSchema, idSchema } from './common'

/** One label's probability; arrays are in the run's label order. */
export interface LabelProbabilityDto {
  label: string
  p: number
}

/**
 * A piece of the text and how much it pushed the predicted class's logit (signed: positive drove
 * the prediction, negative argued against it). `start`/`end` are UTF-16 offsets into the original
 * text, absent for the rare token that could not be located (it is still listed, in order).
 */
export interface TokenAttributionDto {
  /**
   * The piece of the original text (text.slice(start, end)): a WordPiece token's span for BERT
   * ('pneumonia' may come as 'pneum' + 'onia'; one Chinese character per token), a word or one
   * CJK character for the baseline. Without a span: the model's own token string.
   */
  token: string
  start?: number
  end?: number
  score: number
}

export interface TextPredictionDto {
  runId: number
  label: string
  /** Probability of every label, in the run's label order. */
  probabilities: LabelProbabilityDto[]
  /** Attributions of the predicted label, one per token/word in text order. */
  tokens: TokenAttributionDto[]
  /**
   * How the scores were computed: 'gradient-x-input' (both model kinds) — the gradient of the
   * predicted logit with respect to each token's embedding, dotted with that embedding.
   * 'ensemble-no-attributions' for an ensemble run: its members' probabilities mixed by weight,
   * `tokens` empty (each member's attributions would explain a different score).
   */
  method: string
  /** True when the text was longer than the model's max length and only its start was read. */
  truncated: boolean
}

/** The model's number format: int8 dynamic quantization or none (the trained fp32 weights). */
export const quantizeSchema = z.enum(['int8', 'none'])

export const predictArgs = {
  'predict/text': z.object({ runId: idSchema, text: z.string().min(1).max(100_000) }).strict(),
  'predict/file': z
    .object({
      runId: idSchema,
      file: fileRefSchema,
      /** Column holding the texts; the first column named like text/content/文本 … when omitted. */
      textColumn: z.string().min(1).optional(),
      format: z.enum(['csv', 'xlsx']),
      /** Desktop: write here. Browser: omit, and the bytes come back in the job result. */
      path: z.string().min(1).optional(),
      /** int8 or none (fp32); omitted: int8 only where the run's dev check passed (issue #13). */
      quantize: quantizeSchema.optional(),
    })
    .strict(),
  'runs/exportModel': z
    .object({
      runId: idSchema,
      /** Desktop: a folder to create (new or empty). Browser: omit → a zip's bytes come back. */
      path: z.string().min(1).optional(),
      /** int8 or none (fp32); omitted: int8 only where the run's dev check passed (issue #13). */
      quantize: quantizeSchema.optional(),
      /** Also write triton/<model>/: an NVIDIA Triton model repository (issue #17 point 7). */
      triton: z.boolean().optional(),
    })
    .strict(),
}

/** The 'result' of a finished 'predict-file' job (JobProgressDto.result). */
export interface PredictFileResultDto {
  /** Rows predicted (one output row each, in file order). */
  rows: number
  /** Input rows without a text: not predicted, not written. */
  skipped: number
  fileName: string
  path?: string
  contentBase64?: string
  /** Columns written: 'text', 'label' (predicted), then 'p_<label>' per label in run order. */
  columns: string[]
}

export interface ModelExportDto {
  runId: number
  /** The folder written (desktop), or absent when the bytes came back. */
  path?: string
  /** Files in the export, relative to its folder. */
  files: string[]
  fileName: string
  /** A zip of the folder, base64, when no path was given. */
  contentBase64?: string
}

export interface PredictResults {
  'predict/text': TextPredictionDto
  'predict/file': { jobId: string }
  'runs/exportModel': ModelExportDto
}
