// Training checkpoints: parameters, AdamW moments and loop state (step, epoch, RNG, best so far)
// in one binary file written atomically; refuses to save non-finite weights, and reads a damaged
// file as a CtsError that says so.
import { existsSync } from 'node:fs'
import { CtsError } from '../../shared'
import { artifactKeyFor, readArtifact, writeArtifactAtomic } from '../../shared/artifact-crypto'

export interface CheckpointTensor {
  dims: number[]
  data: Float32Array
}

export interface Checkpoint<S = unknown> {
  /** Named float tensors: parameters, moments (any naming the trainer chooses). */
  tensors: Record<string, CheckpointTensor>
  /** JSON-serialisable loop state: step, epoch, rng state, best score, config … */
  state: S
}

const MAGIC = 'CTSCKPT1'

export class NonFiniteError extends Error {
  constructor(readonly tensor: string) {
    super(`the training produced non-finite values in ${tensor}; these weights were not saved`)
    this.name = 'NonFiniteError'
  }
}

/** Name of the first tensor holding NaN or ±Infinity, or undefined when all are finite. */
export function findNonFinite(tensors: Record<string, CheckpointTensor>): string | undefined {
  for (const [name, t] of Object.entries(tensors)) {
    for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) return name
  }
  return undefined
}

export function encodeCheckpoint(ckpt: Checkpoint): Buffer {
  const entries: { name: string; dims: number[]; offset: number; length: number }[] = []
  let offset = 0
  for (const [name, t] of Object.entries(ckpt.tensors)) {
    const expected = t.dims.reduce((a, b) => a * b, 1)
    if (expected !== t.data.length) {
      throw new Error(
        `tensor ${name}: dims [${t.dims}] need ${expected} values, got ${t.data.length}`,
      )
    }
    entries.push({ name, dims: t.dims, offset, length: t.data.length })
    offset += t.data.length * 4
  }
  const header = Buffer.from(JSON.stringify({ state: ckpt.state, tensors: entries }), 'utf8')
  const headerEnd = 8 + 4 + header.length
  const dataStart = Math.ceil(headerEnd / 8) * 8
  const out = Buffer.alloc(dataStart + offset)
  out.write(MAGIC, 0, 'ascii')
  out.writeUInt32LE(header.length, 8)
  header.copy(out, 12)
  for (const e of entries) {
    const t = ckpt.tensors[e.name]
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, dataStart + e.offset)
  }
  return out
}

/** Tensors past this many values are not ours (BERT-base's largest matrix has ~23 M). */
const MAX_TENSOR_VALUES = 2 ** 30

const damaged = (why: string) =>
  new CtsError(
    'bad-input',
    `The training checkpoint is damaged (${why}); delete it to start this training afresh.`,
  )

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0

/**
 * Reads a checkpoint written by encodeCheckpoint. A file that is not one, or is truncated or
 * damaged, is refused with a CtsError('bad-input') saying so (never a parse or range error).
 */
export function decodeCheckpoint<S = unknown>(buf: Buffer): Checkpoint<S> {
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) {
    throw new CtsError('bad-input', 'not a Clinical Text Studio checkpoint')
  }
  const headerLen = buf.readUInt32LE(8)
  if (12 + headerLen > buf.length) throw damaged('its header is truncated')
  let header: unknown
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(12, 12 + headerLen)),
    )
  } catch {
    throw damaged('its header is not valid JSON')
  }
  const entries = (header as { tensors?: unknown } | null)?.tensors
  if (typeof header !== 'object' || header === null || !Array.isArray(entries))
    throw damaged('its header lists no tensors')
  const dataStart = Math.ceil((12 + headerLen) / 8) * 8
  const tensors: Record<string, CheckpointTensor> = {}
  entries.forEach((e: unknown, i) => {
    const { name, dims, offset, length } = (e ?? {}) as Record<string, unknown>
    if (typeof name !== 'string' || Object.hasOwn(tensors, name))
      throw damaged(`tensor ${i} has no name of its own`)
    if (!isCount(offset) || !isCount(length) || length > MAX_TENSOR_VALUES)
      throw damaged(`tensor ${name} has an impossible place or size`)
    if (!Array.isArray(dims) || !dims.every(isCount) || dims.reduce((a, b) => a * b, 1) !== length)
      throw damaged(`tensor ${name} has dimensions that do not match its size`)
    const start = dataStart + offset
    if (start + length * 4 > buf.length) throw damaged(`it is truncated at ${name}`)
    // Copy out so the tensor owns aligned memory independent of the file buffer.
    const data = new Float32Array(length)
    Buffer.from(data.buffer).set(buf.subarray(start, start + length * 4))
    tensors[name] = { dims: dims as number[], data }
  })
  return { tensors, state: (header as { state: S }).state }
}

/** Save atomically; throws NonFiniteError (and keeps the previous file) on NaN/Inf weights. */
export function saveCheckpoint(path: string, ckpt: Checkpoint): void {
  const bad = findNonFinite(ckpt.tensors)
  if (bad !== undefined) throw new NonFiniteError(bad)
  // AES-256-GCM when the run folder belongs to an encrypted workspace (issue #15 point 2).
  writeArtifactAtomic(path, encodeCheckpoint(ckpt), artifactKeyFor(path))
}

export function loadCheckpoint<S = unknown>(path: string): Checkpoint<S> | undefined {
  if (!existsSync(path)) return undefined
  return decodeCheckpoint<S>(readArtifact(path))
}
