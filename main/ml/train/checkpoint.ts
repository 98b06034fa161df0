// Training checkpoints: parameters, AdamW moments and loop state (step, epoch, RNG, best so far)
// in one binary file written atomically; refuses to save non-finite weights.
import { existsSync, readFileSync } from 'node:fs'
import { writeFileAtomic } from '../../shared/atomic-file'

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

export function decodeCheckpoint<S = unknown>(buf: Buffer): Checkpoint<S> {
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) {
    throw new Error('not a Clinical Text Studio checkpoint')
  }
  const headerLen = buf.readUInt32LE(8)
  const header = JSON.parse(buf.toString('utf8', 12, 12 + headerLen)) as {
    state: S
    tensors: { name: string; dims: number[]; offset: number; length: number }[]
  }
  const dataStart = Math.ceil((12 + headerLen) / 8) * 8
  const tensors: Record<string, CheckpointTensor> = {}
  for (const e of header.tensors) {
    const start = dataStart + e.offset
    if (start + e.length * 4 > buf.length) throw new Error(`checkpoint is truncated at ${e.name}`)
    // Copy out so the tensor owns aligned memory independent of the file buffer.
    const data = new Float32Array(e.length)
    Buffer.from(data.buffer).set(buf.subarray(start, start + e.length * 4))
    tensors[e.name] = { dims: e.dims, data }
  }
  return { tensors, state: header.state }
}

/** Save atomically; throws NonFiniteError (and keeps the previous file) on NaN/Inf weights. */
export function saveCheckpoint(path: string, ckpt: Checkpoint): void {
  const bad = findNonFinite(ckpt.tensors)
  if (bad !== undefined) throw new NonFiniteError(bad)
  writeFileAtomic(path, encodeCheckpoint(ckpt))
}

export function loadCheckpoint<S = unknown>(path: string): Checkpoint<S> | undefined {
  if (!existsSync(path)) return undefined
  return decodeCheckpoint<S>(readFileSync(path))
}
