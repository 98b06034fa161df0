// Base models a run can start from: the bundled default plus folders the user imported.
// Types and argument schemas only; the models service validates and copies the folders.
import { z } from 'zod'

/** One base model as a listing shows it; `problem` is set when its folder no longer validates. */
export interface ModelSummaryDto {
  /** What 'training/start' takes as config.model: 'default' or the imported model's name. */
  id: string
  name: string
  source: 'bundled' | 'imported'
  dir: string
  pooling: 'cls' | 'mean' | null
  tokenizer: 'tokenizer.json' | 'vocab.txt' | null
  hiddenSize: number | null
  numLayers: number | null
  vocabSize: number | null
  maxPositions: number | null
  problem?: string
}

export const modelsArgs = {
  'models/list': z.object({}).strict(),
  /** Copy a Hugging Face model folder (config.json, model.safetensors, tokenizer) into the workspace. */
  'models/import': z
    .object({ dir: z.string().min(1), name: z.string().min(1).max(100).optional() })
    .strict(),
}

export interface ModelsResults {
  'models/list': ModelSummaryDto[]
  'models/import': ModelSummaryDto
}
