// Reads PyTorch checkpoints (pytorch_model.bin, the zip format of torch ≥ 1.6) without running
// them: the restricted unpickler lists the tensors, then each storage is read once and widened.
import { basename } from 'node:path'
import { CtsError } from '../../shared'
import { halfTable } from './safetensors'
import {
  unpickleStateDict,
  type StorageRef,
  type TensorRef,
  type TorchDtype,
} from './torch-unpickler'
import {
  bad,
  bytesSource,
  fileSource,
  openZip,
  shown,
  type ByteSource,
  type ZipArchive,
} from './torch-zip'

/** The dtype stored in the checkpoint; `data` is always float32 (float64 is rounded). */
export type TorchTensorDtype = 'F32' | 'F16' | 'BF16' | 'F64'

export interface TorchTensor {
  dtype: TorchTensorDtype
  shape: number[]
  data: Float32Array
}

export interface TorchCheckpoint {
  tensors: Map<string, TorchTensor>
  /** Integer buffers we deliberately do not load (e.g. BERT's `embeddings.position_ids`). */
  skipped: string[]
}

/** A tensor's name, dtype and shape, known from data.pkl alone (no tensor data is read). */
export interface TorchTensorInfo {
  name: string
  dtype: TorchDtype
  shape: number[]
}

const ELEMENT_BYTES: Record<TorchDtype, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
}
const FLOATS: Partial<Record<TorchDtype, TorchTensorDtype>> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  float64: 'F64',
}

/** data.pkl of a BERT-base is ~20 KB; a pickle larger than this is not a state dict. */
const MAX_PICKLE_BYTES = 64 * 1024 * 1024
/** torch writes version 3; the C++ reader accepts up to 10. */
const MAX_FORMAT_VERSION = 10
/** Legacy torch.save (before 1.6, or _use_new_zipfile_serialization=False): PROTO 2 + magic. */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50]

interface Opened {
  label: string
  archive: ZipArchive
  dataDir: string
  bigEndian: boolean
  tensors: Map<string, TensorRef>
}

/** Same rule as the safetensors reader: `position_ids` is an arange, not a weight. */
function isIgnorableBuffer(name: string): boolean {
  return /(^|\.)position_ids$/.test(name)
}

/** True when the tensor is a float weight we load, false for a skipped buffer; else refuses. */
function loadable(name: string, dtype: TorchDtype, label: string): boolean {
  if (FLOATS[dtype]) return true
  if (isIgnorableBuffer(name)) return false
  throw new CtsError(
    'unsupported',
    `${label}: tensor "${shown(name)}" has dtype ${dtype}, which is not supported (supported: float32, float16, bfloat16, float64)`,
  )
}

async function readText(o: Pick<Opened, 'archive'>, name: string): Promise<string | null> {
  const entry = o.archive.entries.get(name)
  if (!entry) return null
  if (entry.size > 64) return '?'
  return new TextDecoder().decode(await o.archive.read(entry)).trim()
}

async function openCheckpoint(src: ByteSource, label: string): Promise<Opened> {
  const head = await src.read(0, Math.min(LEGACY_MAGIC.length, src.size))
  if (LEGACY_MAGIC.every((b, i) => head[i] === b)) {
    throw new CtsError(
      'unsupported',
      `${label} is in the legacy PyTorch format (saved by torch older than 1.6, or with _use_new_zipfile_serialization=False), which cannot be read without running Python code. ` +
        'Re-save it with a current PyTorch (torch.save(torch.load(path, weights_only=True), path)) or convert it to ' +
        'model.safetensors (model.save_pretrained(folder, safe_serialization=True)), then import the folder again.',
    )
  }
  const archive = await openZip(src, label)
  const first: string = archive.entries.keys().next().value ?? ''
  const root = first.split('/')[0]
  if (!archive.entries.has(`${root}/data.pkl`)) {
    throw bad(label, 'is a zip archive but not a PyTorch checkpoint: it has no data.pkl')
  }
  for (const name of archive.entries.keys()) {
    if (!name.startsWith(`${root}/`)) {
      throw bad(
        label,
        `refuses to load: the entry "${shown(name)}" lies outside the checkpoint's folder "${shown(root)}"`,
      )
    }
  }
  const o = { label, archive }
  const version =
    (await readText(o, `${root}/.data/version`)) ?? (await readText(o, `${root}/version`))
  if (version !== null && (!/^\d+$/.test(version) || Number(version) > MAX_FORMAT_VERSION)) {
    throw new CtsError(
      'unsupported',
      `${label}: checkpoint format version "${shown(version)}" is newer than this reader knows (up to ${MAX_FORMAT_VERSION})`,
    )
  }
  const order = (await readText(o, `${root}/byteorder`)) ?? 'little'
  if (order !== 'little' && order !== 'big') {
    throw bad(label, `the byteorder entry says "${shown(order)}", not "little" or "big"`)
  }
  const pklEntry = archive.entries.get(`${root}/data.pkl`)!
  if (pklEntry.size > MAX_PICKLE_BYTES) {
    throw bad(
      label,
      `refuses to load: data.pkl is ${pklEntry.size} bytes, far more than a state dict needs`,
    )
  }
  const pkl = await archive.read(pklEntry)
  const dataDir = `${root}/data/`
  const storages = new Map<string, StorageRef>()
  const tensors = unpickleStateDict(pkl, {
    label,
    storage(key, dtype, numel) {
      const seen = storages.get(key)
      if (seen) {
        if (seen.dtype !== dtype || seen.numel !== numel) {
          throw bad(
            label,
            `refuses to load: storage "${key}" is declared as ${seen.numel} ${seen.dtype} and as ${numel} ${dtype}`,
          )
        }
        return seen
      }
      const entry = archive.entries.get(dataDir + key)
      if (!entry)
        throw bad(
          label,
          `refuses to load: the pickle refers to storage "${key}", which the archive lacks`,
        )
      if (entry.size !== numel * ELEMENT_BYTES[dtype]) {
        throw bad(
          label,
          `refuses to load: storage "${key}" should hold ${numel} ${dtype} values but its entry has ${entry.size} bytes`,
        )
      }
      const ref: StorageRef = { kind: 'storage', key, dtype, numel }
      storages.set(key, ref)
      return ref
    },
  })
  return { label, archive, dataDir, bigEndian: order === 'big', tensors }
}

/** One storage's bytes as float32 (a view of the read buffer for float32, else a converted copy). */
async function readStorage(o: Opened, s: StorageRef): Promise<Float32Array> {
  const bytes = await o.archive.read(o.archive.entries.get(o.dataDir + s.key)!)
  const size = ELEMENT_BYTES[s.dtype]
  // The buffer is ours (see ByteSource.read), so swapping in place copies nothing.
  if (o.bigEndian && size > 1) {
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse()
  }
  if (s.dtype === 'float32') return new Float32Array(bytes.buffer, bytes.byteOffset, s.numel)
  if (s.dtype === 'float64')
    return Float32Array.from(new Float64Array(bytes.buffer, bytes.byteOffset, s.numel))
  const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, s.numel)
  const out = new Float32Array(s.numel)
  if (s.dtype === 'bfloat16') {
    // bfloat16 is the top half of a float32.
    const bits = new Uint32Array(out.buffer)
    for (let i = 0; i < s.numel; i++) bits[i] = halves[i] << 16
  } else {
    const table = halfTable()
    for (let i = 0; i < s.numel; i++) out[i] = table[halves[i]]
  }
  return out
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false
    expected *= shape[d]
  }
  return true
}

/** A tensor's values in row-major order: a view when contiguous, else gathered through strides. */
function tensorValues(storage: Float32Array, t: TensorRef): Float32Array {
  const n = t.shape.reduce((a, b) => a * b, 1)
  if (isContiguous(t.shape, t.stride)) return storage.subarray(t.offset, t.offset + n)
  const out = new Float32Array(n)
  const rank = t.shape.length
  const index = new Array<number>(rank).fill(0)
  let src = t.offset
  for (let i = 0; i < n; i++) {
    out[i] = storage[src]
    for (let d = rank - 1; d >= 0; d--) {
      src += t.stride[d]
      if (++index[d] < t.shape[d]) break
      src -= t.stride[d] * t.shape[d]
      index[d] = 0
    }
  }
  return out
}

async function loadAll(o: Opened): Promise<TorchCheckpoint> {
  const storages = new Map<string, Float32Array>()
  const tensors = new Map<string, TorchTensor>()
  const skipped: string[] = []
  for (const [name, t] of o.tensors) {
    if (!loadable(name, t.storage.dtype, o.label)) {
      skipped.push(name)
      continue
    }
    // Tensors that share a storage (tied embeddings, views) read it once.
    let storage = storages.get(t.storage.key)
    if (!storage) {
      storage = await readStorage(o, t.storage)
      storages.set(t.storage.key, storage)
    }
    const dtype = FLOATS[t.storage.dtype] as TorchTensorDtype
    tensors.set(name, { dtype, shape: t.shape, data: tensorValues(storage, t) })
  }
  return { tensors, skipped }
}

async function withSource<T>(
  src: ByteSource,
  label: string,
  f: (o: Opened) => Promise<T>,
): Promise<T> {
  try {
    return await f(await openCheckpoint(src, label))
  } finally {
    await src.close()
  }
}

/** Parses a whole checkpoint held in memory (tests, small files). */
export function parseTorchCheckpoint(
  bytes: Uint8Array,
  label = 'pytorch_model.bin',
): Promise<TorchCheckpoint> {
  return withSource(bytesSource(bytes), label, loadAll)
}

/** Reads a checkpoint from disk, one storage at a time; unused integer storages are never read. */
export async function readTorchCheckpoint(
  path: string,
  label = basename(path),
): Promise<TorchCheckpoint> {
  return withSource(await fileSource(path, label), label, loadAll)
}

/** Names, dtypes and shapes from the zip directory and data.pkl only (a few KB for BERT). */
export async function readTorchCheckpointInfo(
  path: string,
  label = basename(path),
): Promise<TorchTensorInfo[]> {
  return withSource(await fileSource(path, label), label, async (o) =>
    [...o.tensors].map(([name, t]) => {
      loadable(name, t.storage.dtype, label)
      return { name, dtype: t.storage.dtype, shape: t.shape }
    }),
  )
}
