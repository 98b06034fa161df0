// Base models a run can start from: the bundled all-MiniLM-L6-v2 ('default') plus folders the user
// imported into <home>/models/. File-based: each model is a validated Hugging Face folder.
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CtsError } from '../../preload/contract/common'
import type { ModelSummaryDto } from '../../preload/contract/models'
import {
  importModelFolder,
  inspectModelFolder,
  modelFolderName,
  type ModelFolderInfo,
} from '../ml/models/model-folder'

export const DEFAULT_MODEL_ID = 'default'
export const BUNDLED_MODEL_FOLDER = 'all-MiniLM-L6-v2'
export const MODELS_DIR = 'models'

export interface ModelsServiceOptions {
  /** The workspace folder; imported models live in <home>/models/<name>. */
  home: string
  /** Where the bundled default model lies; found next to the app's resources/ when omitted. */
  bundledDir?: string
}

/** Walks up from this file to the folder holding package.json + resources/ (source or out/ tree). */
export function defaultBundledModelDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) {
      return join(dir, 'resources', 'models', BUNDLED_MODEL_FOLDER)
    }
    const up = dirname(dir)
    if (up === dir) return resolve('resources', 'models', BUNDLED_MODEL_FOLDER)
    dir = up
  }
}

function summarize(
  id: string,
  source: ModelSummaryDto['source'],
  info: ModelFolderInfo,
): ModelSummaryDto {
  return {
    id,
    name: id === DEFAULT_MODEL_ID ? BUNDLED_MODEL_FOLDER : info.name,
    source,
    dir: info.dir,
    pooling: info.pooling,
    tokenizer: info.tokenizer.kind,
    hiddenSize: info.config.hiddenSize,
    numLayers: info.config.numLayers,
    vocabSize: info.config.vocabSize,
    maxPositions: info.config.maxPositions,
  }
}

function broken(
  id: string,
  source: ModelSummaryDto['source'],
  dir: string,
  err: unknown,
): ModelSummaryDto {
  const problem = err instanceof CtsError ? err.message : 'the folder cannot be read'
  return {
    id,
    name: id === DEFAULT_MODEL_ID ? BUNDLED_MODEL_FOLDER : id,
    source,
    dir,
    pooling: null,
    tokenizer: null,
    hiddenSize: null,
    numLayers: null,
    vocabSize: null,
    maxPositions: null,
    problem,
  }
}

export class ModelsService {
  readonly modelsDir: string
  readonly bundledDir: string

  constructor(options: ModelsServiceOptions) {
    this.modelsDir = join(resolve(options.home), MODELS_DIR)
    this.bundledDir = resolve(options.bundledDir ?? defaultBundledModelDir())
  }

  /** The bundled default first, then imported models by name; broken folders carry `problem`. */
  async list(): Promise<ModelSummaryDto[]> {
    const out: ModelSummaryDto[] = []
    if (existsSync(this.bundledDir))
      out.push(await this.summary(DEFAULT_MODEL_ID, 'bundled', this.bundledDir))
    const entries = await readdir(this.modelsDir, { withFileTypes: true }).catch(() => [])
    const names = entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
    for (const name of names.sort())
      out.push(await this.summary(name, 'imported', join(this.modelsDir, name)))
    return out
  }

  /** Validates `dir` and copies it into <home>/models/<name> (name defaults to the folder's). */
  async import(dir: string, name?: string): Promise<ModelSummaryDto> {
    if (name !== undefined && modelFolderName(name) === DEFAULT_MODEL_ID) {
      throw new CtsError('conflict', `"${DEFAULT_MODEL_ID}" is reserved for the bundled model`)
    }
    const info = await importModelFolder(dir, this.modelsDir, name)
    return summarize(info.name, 'imported', info)
  }

  /** Full, validated information (file hashes included) for 'default' or an imported model name. */
  async get(nameOrId: string): Promise<ModelFolderInfo> {
    if (nameOrId === DEFAULT_MODEL_ID) {
      if (!existsSync(this.bundledDir)) {
        throw new CtsError(
          'not-found',
          'The default model is not installed; run scripts/setup-model.sh',
        )
      }
      return inspectModelFolder(this.bundledDir)
    }
    const folder = modelFolderName(nameOrId)
    if (folder !== nameOrId) throw new CtsError('not-found', `No model named "${nameOrId}"`)
    const dir = join(this.modelsDir, folder)
    if (!existsSync(dir)) throw new CtsError('not-found', `No model named "${nameOrId}"`)
    return inspectModelFolder(dir)
  }

  private async summary(
    id: string,
    source: ModelSummaryDto['source'],
    dir: string,
  ): Promise<ModelSummaryDto> {
    try {
      return summarize(id, source, await inspectModelFolder(dir, { hashes: false }))
    } catch (err) {
      return broken(id, source, dir, err)
    }
  }
}
