// Reads Hugging Face .safetensors weight files: the whole header is validated before any tensor
// memory is allocated, then F32 tensors are viewed (or copied when unaligned) and F16/BF16 widened.
import { open, readFile } from 'node:fs/promises'
import { basename } from 'node:path'
// CtsError is environment-free (preload/contract/common imports only zod); ml needs the shared
// error type so the IPC adapter shows our messages instead of a generic "internal" error.
import { CtsError } from '../../shared'

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16'

export interface SafetensorsTensor {
  /** The dtype stored in the file; `data` is always float32. */
  dtype: SafetensorsDtype
  shape: number[]
  data: Float32Array
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>
  metadata: Record<string, string>
  /** Integer buffers we deliberately do not load (e.g. BERT's `embeddings.position_ids`). */
  skipped: string[]
}

/** One validated header entry: where its bytes lie inside the data region. */
export interface SafetensorsEntry {
  name: string
  dtype: string
  shape: number[]
  begin: number
  end: number
}

export interface SafetensorsHeader {
  entries: SafetensorsEntry[]
  metadata: Record<string, string>
  /** Byte offset of the data region from the start of the file (8 + header length). */
  dataStart: number
  dataLength: number
}

/** The safetensors reference implementation refuses headers above 100 MB; so do we. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000

const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
}
const LOADABLE = new Set<string>(['F32', 'F16', 'BF16'])

/**
 * Old transformers checkpoints store `position_ids` as an I64 buffer; it is an arange, not a
 * weight, and transformers itself ignores it on load. Any other integer tensor is refused.
 */
function isIgnorableBuffer(name: string): boolean {
  return /(^|\.)position_ids$/.test(name)
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

function bad(source: string, message: string): CtsError {
  return new CtsError('bad-input', `${source}: ${message}`)
}

/** Reads the u64 little-endian header length without ever building a number above 2^53. */
function headerLength(prefix: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8)
    throw bad(source, `the file is ${fileSize} bytes, too short to be a safetensors file`)
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8)
  const low = view.getUint32(0, true)
  const high = view.getUint32(4, true)
  if (high !== 0 || low > MAX_SAFETENSORS_HEADER_BYTES) {
    throw bad(
      source,
      `the header length is larger than the 100 MB limit; the file is damaged or not safetensors`,
    )
  }
  if (low > fileSize - 8) {
    throw bad(
      source,
      `the header claims ${low} bytes but the file has only ${fileSize - 8} after the length field`,
    )
  }
  if (low < 2) throw bad(source, `the header is ${low} bytes, too short to hold a JSON object`)
  return low
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function parseHeaderJson(headerBytes: Uint8Array, source: string): Record<string, unknown> {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes)
  } catch {
    throw bad(source, 'the header is not valid UTF-8')
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw bad(source, 'the header is not valid JSON')
  }
  if (!isRecord(json)) throw bad(source, 'the header must be a JSON object of tensors')
  const dup = findDuplicateJsonKey(text)
  if (dup !== null) throw bad(source, `the header declares "${dup}" more than once`)
  return json
}

function parseMetadata(value: unknown, source: string): Record<string, string> {
  if (value === undefined) return {}
  if (!isRecord(value)) throw bad(source, '__metadata__ must be an object of strings')
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw bad(source, `__metadata__ "${k}" must be a string`)
    out[k] = v
  }
  return out
}

function parseEntry(
  name: string,
  value: unknown,
  dataLength: number,
  source: string,
): SafetensorsEntry {
  const where = `tensor "${name}"`
  if (!isRecord(value))
    throw bad(source, `${where} must be an object with dtype, shape and data_offsets`)
  const { dtype, shape, data_offsets: offsets } = value
  if (typeof dtype !== 'string') throw bad(source, `${where} has no dtype`)
  const size = DTYPE_BYTES[dtype]
  if (size === undefined) throw bad(source, `${where} has unknown dtype "${dtype}"`)
  if (!LOADABLE.has(dtype) && !isIgnorableBuffer(name)) {
    throw new CtsError(
      'unsupported',
      `${source}: ${where} has dtype ${dtype}, which is not supported (supported: F32, F16, BF16)`,
    )
  }
  if (!Array.isArray(shape)) throw bad(source, `${where} has no shape list`)
  // The element count is capped so a hostile shape such as [2^40, 2^40, 2^40] can neither
  // overflow into NaN/Infinity nor lead to an allocation: it simply fails the size check below.
  let count = 1
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw bad(source, `${where} has an invalid shape ${JSON.stringify(shape)}`)
    }
    count = Math.min(count * d, Number.MAX_SAFE_INTEGER)
  }
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw bad(source, `${where} needs data_offsets [begin, end]`)
  }
  const [begin, end] = offsets as unknown[]
  for (const o of [begin, end]) {
    if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) {
      throw bad(source, `${where} has invalid data_offsets ${JSON.stringify(offsets)}`)
    }
  }
  const b = begin as number
  const e = end as number
  if (b > e) throw bad(source, `${where} has data_offsets that end before they begin`)
  if (e > dataLength) {
    throw bad(source, `${where} ends at byte ${e} but the data region holds only ${dataLength}`)
  }
  if (count * size > dataLength) {
    throw bad(source, `${where} has shape ${JSON.stringify(shape)}, larger than the whole file`)
  }
  if (count * size !== e - b) {
    throw bad(source, `${where} declares ${count * size} bytes but its offsets span ${e - b}`)
  }
  return { name, dtype, shape: shape as number[], begin: b, end: e }
}

/** Tensors must tile the data region exactly: sorted, no gap, no overlap, nothing left over. */
function checkTiling(entries: SafetensorsEntry[], dataLength: number, source: string): void {
  const sorted = [...entries].sort((x, y) => x.begin - y.begin || x.end - y.end)
  let expected = 0
  for (const t of sorted) {
    if (t.begin < expected) throw bad(source, `tensor "${t.name}" overlaps the tensor before it`)
    if (t.begin > expected) {
      throw bad(source, `there is a gap of ${t.begin - expected} bytes before tensor "${t.name}"`)
    }
    expected = t.end
  }
  if (expected !== dataLength) {
    throw bad(source, `${dataLength - expected} bytes at the end of the data belong to no tensor`)
  }
}

/**
 * JSON.parse silently keeps the last of two equal keys, so a header that names a tensor twice
 * would lose one. This scan walks already-valid JSON and reports the first key repeated within
 * one object (at any depth).
 */
export function findDuplicateJsonKey(text: string): string | null {
  const stack: (Set<string> | null)[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '"') {
      let j = i + 1
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      const top = stack[stack.length - 1]
      // A string directly followed by ':' inside an object is a key.
      let k = j + 1
      while (k < text.length && ' \t\n\r'.includes(text[k])) k++
      if (top && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string
        if (top.has(key)) return key
        top.add(key)
      }
      i = j + 1
      continue
    }
    if (c === '{') stack.push(new Set())
    else if (c === '[') stack.push(null)
    else if (c === '}' || c === ']') stack.pop()
    i++
  }
  return null
}

/** Validates a header given its bytes and the file's total size. Allocates nothing for tensors. */
export function parseSafetensorsHeader(
  prefix: Uint8Array,
  headerBytes: Uint8Array,
  fileSize: number,
  source = 'model.safetensors',
): SafetensorsHeader {
  const n = headerLength(prefix, fileSize, source)
  const json = parseHeaderJson(headerBytes.subarray(0, n), source)
  const dataStart = 8 + n
  const dataLength = fileSize - dataStart
  const metadata = parseMetadata(json.__metadata__, source)
  const entries: SafetensorsEntry[] = []
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') continue
    entries.push(parseEntry(name, value, dataLength, source))
  }
  checkTiling(entries, dataLength, source)
  return { entries, metadata, dataStart, dataLength }
}

/** Half-precision bit patterns → float32, built once (256 KB) so conversion is one lookup. */
let f16Table: Float32Array | null = null
export function halfTable(): Float32Array {
  if (f16Table) return f16Table
  const t = new Float32Array(65536)
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1
    const exp = (h >> 10) & 0x1f
    const frac = h & 0x3ff
    if (exp === 0) t[h] = sign * frac * 2 ** -24
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15)
  }
  f16Table = t
  return t
}

/** Copies bytes into a fresh, aligned buffer (needed when the source offset is not aligned). */
function alignedCopy(bytes: Uint8Array): ArrayBuffer {
  const buf = new ArrayBuffer(bytes.length)
  new Uint8Array(buf).set(bytes)
  return buf
}

function materialize(entry: SafetensorsEntry, file: Uint8Array, dataStart: number): Float32Array {
  const abs = file.byteOffset + dataStart + entry.begin
  const count = (entry.end - entry.begin) / DTYPE_BYTES[entry.dtype]
  const raw = file.subarray(dataStart + entry.begin, dataStart + entry.end)
  if (entry.dtype === 'F32') {
    // A view shares the file's memory: no copy for the 90 MB model when the offset is aligned.
    if (abs % 4 === 0) return new Float32Array(file.buffer, abs, count)
    return new Float32Array(alignedCopy(raw))
  }
  const halves =
    abs % 2 === 0 ? new Uint16Array(file.buffer, abs, count) : new Uint16Array(alignedCopy(raw))
  const out = new Float32Array(count)
  if (entry.dtype === 'BF16') {
    // bfloat16 is the top half of a float32.
    const bits = new Uint32Array(out.buffer)
    for (let i = 0; i < count; i++) bits[i] = halves[i] << 16
  } else {
    const table = halfTable()
    for (let i = 0; i < count; i++) out[i] = table[halves[i]]
  }
  return out
}

function build(header: SafetensorsHeader, file: Uint8Array): SafetensorsFile {
  if (!LITTLE_ENDIAN)
    throw new CtsError('unsupported', 'safetensors files need a little-endian CPU')
  const tensors = new Map<string, SafetensorsTensor>()
  const skipped: string[] = []
  for (const e of header.entries) {
    if (!LOADABLE.has(e.dtype)) {
      skipped.push(e.name)
      continue
    }
    const data = materialize(e, file, header.dataStart)
    tensors.set(e.name, { dtype: e.dtype as SafetensorsDtype, shape: e.shape, data })
  }
  return { tensors, metadata: header.metadata, skipped }
}

/** Parses a whole safetensors file held in memory. F32 data may share memory with `bytes`. */
export function parseSafetensors(bytes: Uint8Array, source = 'model.safetensors'): SafetensorsFile {
  const prefix = bytes.subarray(0, Math.min(8, bytes.length))
  const n = headerLength(prefix, bytes.length, source)
  const header = parseSafetensorsHeader(prefix, bytes.subarray(8, 8 + n), bytes.length, source)
  return build(header, bytes)
}

async function openOrExplain(path: string) {
  try {
    return await open(path, 'r')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new CtsError('not-found', `${basename(path)}: file not found`)
    throw new CtsError('bad-input', `${basename(path)}: cannot be read (${code ?? 'error'})`)
  }
}

/** Reads and validates only the header of a file on disk (cheap: a few KB for BERT models). */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  const source = basename(path)
  const fh = await openOrExplain(path)
  try {
    const { size } = await fh.stat()
    const prefix = new Uint8Array(8)
    await fh.read(prefix, 0, Math.min(8, size), 0)
    const n = headerLength(prefix, size, source)
    const headerBytes = new Uint8Array(n)
    await fh.read(headerBytes, 0, n, 8)
    return parseSafetensorsHeader(prefix, headerBytes, size, source)
  } finally {
    await fh.close()
  }
}

/** Validates the header first (so a damaged file never triggers a huge read), then loads it. */
export async function readSafetensorsFile(path: string): Promise<SafetensorsFile> {
  const header = await readSafetensorsHeader(path)
  const bytes = await readFile(path)
  if (bytes.length !== header.dataStart + header.dataLength) {
    throw bad(basename(path), 'the file changed while it was being read')
  }
  return build(header, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length))
}
