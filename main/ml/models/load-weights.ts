// Finds and reads a model folder's weights in every format we accept — model.safetensors,
// pytorch_model.bin and their sharded forms (an index.json plus shards) — as float32 tensors.
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { CtsError } from '../../shared'
import { readSafetensorsFile, readSafetensorsHeader, type SafetensorsTensor } from './safetensors'
import { readTorchCheckpoint, readTorchCheckpointInfo, type TorchTensor } from './torch-checkpoint'

export type WeightsFormat = 'safetensors' | 'pytorch'

export interface WeightsLocation {
  format: WeightsFormat
  /** The file a user would name: the single weights file, or the shard index. */
  path: string
  /** The files holding tensors: the single file, or every shard in index order. */
  files: string[]
  /** For sharded weights: which shard (file name) holds each tensor, per the index. */
  weightMap?: Map<string, string>
}

export type LoadedTensor = SafetensorsTensor | TorchTensor

export interface LoadedWeights {
  format: WeightsFormat
  tensors: Map<string, LoadedTensor>
  /** Integer buffers the readers do not load (e.g. `embeddings.position_ids`). */
  skipped: string[]
}

/** A tensor's name, stored dtype and shape, read without its data. */
export interface WeightShape {
  name: string
  dtype: string
  shape: number[]
}

/** In the order transformers prefers them: safetensors first, then PyTorch; single, then sharded. */
const CANDIDATES: [string, WeightsFormat][] = [
  ['model.safetensors', 'safetensors'],
  ['model.safetensors.index.json', 'safetensors'],
  ['pytorch_model.bin', 'pytorch'],
  ['pytorch_model.bin.index.json', 'pytorch'],
]

const MAX_INDEX_BYTES = 50 * 1024 * 1024

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false
}

async function readIndex(path: string, format: WeightsFormat): Promise<WeightsLocation> {
  const label = basename(path)
  const dir = dirname(path)
  const size = (await stat(path)).size
  if (size > MAX_INDEX_BYTES)
    throw new CtsError('bad-input', `${label}: the file is too large to be a shard index`)
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch {
    throw new CtsError('bad-input', `${label}: not valid JSON`)
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new CtsError('bad-input', `${label}: the "weight_map" object is missing`)
  }
  const ext = format === 'pytorch' ? '.bin' : '.safetensors'
  const weightMap = new Map<string, string>()
  const files: string[] = []
  for (const [name, file] of Object.entries(map)) {
    // Shards sit next to the index: a name with a path in it could read any file on the disk.
    if (
      typeof file !== 'string' ||
      !/^[A-Za-z0-9._-]+$/.test(file) ||
      file.startsWith('.') ||
      !file.endsWith(ext)
    ) {
      throw new CtsError(
        'bad-input',
        `${label}: weight "${name}" points at ${JSON.stringify(file)}, which is not a ${ext} file in the model folder`,
      )
    }
    weightMap.set(name, file)
    if (!files.includes(file)) files.push(file)
  }
  if (files.length === 0) throw new CtsError('bad-input', `${label}: the weight_map is empty`)
  for (const f of files) {
    if (!(await isFile(join(dir, f)))) {
      throw new CtsError('bad-input', `${label}: the shard ${f} is missing from the model folder`)
    }
  }
  return { format, path, files: files.map((f) => join(dir, f)), weightMap }
}

/** The weights of a model folder, or null when it holds none we can read. */
export async function locateWeights(dir: string): Promise<WeightsLocation | null> {
  for (const [file, format] of CANDIDATES) {
    const path = join(dir, file)
    if (!(await isFile(path))) continue
    return file.endsWith('.index.json') ? readIndex(path, format) : { format, path, files: [path] }
  }
  return null
}

/** A location from a weights file or index path (what ModelFolderInfo.weightsPath holds). */
export async function locationFromPath(path: string): Promise<WeightsLocation> {
  const name = basename(path)
  const format: WeightsFormat = name.includes('.safetensors') ? 'safetensors' : 'pytorch'
  if (name.endsWith('.index.json')) return readIndex(path, format)
  return { format, path, files: [path] }
}

/** Merges per-file results, refusing a tensor two shards both hold or one the index misplaces. */
function merge<T>(loc: WeightsLocation, perFile: Map<string, T>[]): Map<string, T> {
  const out = new Map<string, T>()
  const from = new Map<string, string>()
  perFile.forEach((tensors, i) => {
    const file = basename(loc.files[i])
    for (const [name, t] of tensors) {
      const other = from.get(name)
      if (other !== undefined) {
        throw new CtsError(
          'bad-input',
          `${basename(loc.path)}: both ${other} and ${file} hold the weight "${name}"`,
        )
      }
      from.set(name, file)
      out.set(name, t)
    }
  })
  for (const [name, file] of loc.weightMap ?? []) {
    if (from.get(name) !== file) {
      throw new CtsError(
        'bad-input',
        `${basename(loc.path)}: the index puts "${name}" in ${file}, but ${file} does not hold it`,
      )
    }
  }
  return out
}

/** Names, dtypes and shapes of every tensor (position_ids included), without reading tensor data. */
export async function readWeightShapes(loc: WeightsLocation): Promise<WeightShape[]> {
  const perFile: Map<string, WeightShape>[] = []
  for (const file of loc.files) {
    const list =
      loc.format === 'safetensors'
        ? (await readSafetensorsHeader(file)).entries.map((e) => ({
            name: e.name,
            dtype: e.dtype,
            shape: e.shape,
          }))
        : await readTorchCheckpointInfo(file)
    perFile.push(new Map(list.map((e) => [e.name, e])))
  }
  return [...merge(loc, perFile).values()]
}

/**
 * Reads every tensor of a model's weights as float32. `where` is a model folder, a weights file or
 * a shard index. Integer buffers such as position_ids are listed in `skipped`, not loaded.
 */
export async function readModelWeights(where: string): Promise<LoadedWeights> {
  const isDir = (await stat(where).catch(() => null))?.isDirectory() ?? false
  const loc = isDir ? await locateWeights(where) : await locationFromPath(where)
  if (!loc) {
    throw new CtsError(
      'bad-input',
      `${basename(where)}: no weights found (model.safetensors or pytorch_model.bin)`,
    )
  }
  const perFile: Map<string, LoadedTensor>[] = []
  const skipped: string[] = []
  for (const file of loc.files) {
    const read =
      loc.format === 'safetensors'
        ? await readSafetensorsFile(file)
        : await readTorchCheckpoint(file)
    perFile.push(read.tensors)
    skipped.push(...read.skipped)
  }
  // Skipped buffers are in no per-file map, so the index check leaves them out.
  const tensors = merge(
    {
      ...loc,
      weightMap: new Map([...(loc.weightMap ?? [])].filter(([n]) => !skipped.includes(n))),
    },
    perFile,
  )
  return { format: loc.format, tensors, skipped }
}
