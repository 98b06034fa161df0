// Writes small PyTorch checkpoints for tests: a pickle assembler with one call per opcode and a zip
// writer whose entries can lie (sizes, names, checksums), so hostile files read like their recipe.
import { crc32, deflateRawSync } from 'node:zlib'

const enc = new TextEncoder()

/** A pickle written opcode by opcode (protocol 2 unless told otherwise), as torch.save writes it. */
export class Pickle {
  private readonly out: number[] = []

  raw(...bytes: number[]): this {
    for (const b of bytes) this.out.push(b)
    return this
  }
  private u32(n: number): number[] {
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]
  }
  proto(n = 2) {
    return this.raw(0x80, n)
  }
  mark() {
    return this.raw(0x28)
  }
  stop() {
    return this.raw(0x2e)
  }
  none() {
    return this.raw(0x4e)
  }
  bool(b: boolean) {
    return this.raw(b ? 0x88 : 0x89)
  }
  /** BININT1 / BININT2 / BININT, or LONG1 for anything else (negative or large). */
  int(n: number | bigint) {
    if (typeof n === 'number' && n >= 0 && n < 256) return this.raw(0x4b, n)
    if (typeof n === 'number' && n >= 0 && n < 65536) return this.raw(0x4d, n & 0xff, n >> 8)
    if (typeof n === 'number' && n >= -(2 ** 31) && n < 2 ** 31)
      return this.raw(0x4a, ...this.u32(n))
    let v = BigInt(n)
    const bytes: number[] = []
    do {
      bytes.push(Number(v & 0xffn))
      v >>= 8n
    } while (v !== 0n && v !== -1n)
    if (v === 0n && bytes[bytes.length - 1] & 0x80) bytes.push(0)
    if (v === -1n && !(bytes[bytes.length - 1] & 0x80)) bytes.push(0xff)
    return this.raw(0x8a, bytes.length, ...bytes)
  }
  str(s: string) {
    const b = enc.encode(s)
    return this.raw(0x58, ...this.u32(b.length), ...b)
  }
  global(module: string, name: string) {
    return this.raw(0x63, ...enc.encode(`${module}\n${name}\n`))
  }
  stackGlobal(module: string, name: string) {
    return this.str(module).str(name).raw(0x93)
  }
  emptyTuple() {
    return this.raw(0x29)
  }
  tuple() {
    return this.raw(0x74)
  }
  tuple1() {
    return this.raw(0x85)
  }
  tuple2() {
    return this.raw(0x86)
  }
  emptyList() {
    return this.raw(0x5d)
  }
  append() {
    return this.raw(0x61)
  }
  emptyDict() {
    return this.raw(0x7d)
  }
  setitem() {
    return this.raw(0x73)
  }
  setitems() {
    return this.raw(0x75)
  }
  reduce() {
    return this.raw(0x52)
  }
  build() {
    return this.raw(0x62)
  }
  persid() {
    return this.raw(0x51)
  }
  put(i: number) {
    return this.raw(0x71, i)
  }
  get(i: number) {
    return this.raw(0x68, i)
  }
  /** A call f(*args) the way pickle writes it: GLOBAL, args tuple, REDUCE. */
  call(module: string, name: string, args: (p: Pickle) => void) {
    this.global(module, name).mark()
    args(this)
    return this.tuple().reduce()
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out)
  }
}

export interface TensorSpec {
  name: string
  /** The storage's key: its zip entry is data/<key>. */
  key: string
  /** torch storage class, default FloatStorage. */
  type?: string
  numel: number
  offset?: number | bigint
  shape: (number | bigint)[]
  /** Default: row-major contiguous. */
  stride?: (number | bigint)[]
  location?: string
  /** Saved as an nn.Parameter (torch._utils._rebuild_parameter). */
  parameter?: boolean
}

export function contiguousStride(shape: number[]): number[] {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc
    acc *= shape[d]
  }
  return s
}

/** Pushes `_rebuild_tensor_v2(('storage', type, key, location, numel), offset, size, stride, False, OrderedDict())`. */
export function pushTensor(p: Pickle, t: TensorSpec): Pickle {
  const stride = t.stride ?? contiguousStride(t.shape.map(Number))
  const rebuild = (q: Pickle) => {
    q.global('torch._utils', '_rebuild_tensor_v2').mark()
    q.mark()
      .str('storage')
      .global('torch', t.type ?? 'FloatStorage')
      .str(t.key)
    q.str(t.location ?? 'cpu')
      .int(t.numel)
      .tuple()
      .persid()
    q.int(t.offset ?? 0)
    q.mark()
    for (const d of t.shape) q.int(d)
    q.tuple().mark()
    for (const d of stride) q.int(d)
    q.tuple().bool(false).global('collections', 'OrderedDict').emptyTuple().reduce()
    q.tuple().reduce()
  }
  if (!t.parameter) {
    rebuild(p)
    return p
  }
  p.global('torch._utils', '_rebuild_parameter').mark()
  rebuild(p)
  p.bool(true).global('collections', 'OrderedDict').emptyTuple().reduce()
  return p.tuple().reduce()
}

/** An OrderedDict state dict (with torch's `_metadata` attribute) of the given tensors. */
export function stateDictPickle(
  tensors: TensorSpec[],
  o: { plainDict?: boolean } = {},
): Uint8Array {
  const p = new Pickle().proto()
  if (o.plainDict) p.emptyDict()
  else p.global('collections', 'OrderedDict').emptyTuple().reduce()
  p.mark()
  for (const t of tensors) pushTensor(p.str(t.name), t)
  p.setitems()
  if (!o.plainDict) {
    p.emptyDict().str('_metadata').emptyDict().str('').emptyDict().str('version').int(1)
    p.setitem().setitem().setitem().build()
  }
  return p.stop().bytes()
}

export interface ZipEntrySpec {
  name: string
  data: Uint8Array
  deflate?: boolean
  /** Lies: the uncompressed size the directory declares. */
  declaredSize?: number
  /** Lies: the stored (compressed) size the directory declares. */
  declaredStored?: number
  crc?: number
}

/** A zip archive written the way torch's writer does (local headers, central directory, EOCD). */
export function zipArchive(entries: ZipEntrySpec[]): Uint8Array {
  const chunks: Uint8Array[] = []
  const central: Uint8Array[] = []
  let offset = 0
  for (const e of entries) {
    const name = enc.encode(e.name)
    const body = e.deflate ? new Uint8Array(deflateRawSync(e.data)) : e.data
    const size = e.declaredSize ?? e.data.length
    const stored = e.declaredStored ?? body.length
    const crc = e.crc ?? crc32(e.data) >>> 0
    const local = new DataView(new ArrayBuffer(30))
    local.setUint32(0, 0x04034b50, true)
    local.setUint16(4, 20, true)
    local.setUint16(8, e.deflate ? 8 : 0, true)
    local.setUint32(14, crc, true)
    local.setUint32(18, stored, true)
    local.setUint32(22, size, true)
    local.setUint16(26, name.length, true)
    const c = new DataView(new ArrayBuffer(46))
    c.setUint32(0, 0x02014b50, true)
    c.setUint16(4, 20, true)
    c.setUint16(6, 20, true)
    c.setUint16(10, e.deflate ? 8 : 0, true)
    c.setUint32(16, crc, true)
    c.setUint32(20, stored, true)
    c.setUint32(24, size, true)
    c.setUint16(28, name.length, true)
    c.setUint32(42, offset, true)
    chunks.push(new Uint8Array(local.buffer), name, body)
    central.push(new Uint8Array(c.buffer), name)
    offset += 30 + name.length + body.length
  }
  const cdSize = central.reduce((a, b) => a + b.length, 0)
  const end = new DataView(new ArrayBuffer(22))
  end.setUint32(0, 0x06054b50, true)
  end.setUint16(8, entries.length, true)
  end.setUint16(10, entries.length, true)
  end.setUint32(12, cdSize, true)
  end.setUint32(16, offset, true)
  return concat([...chunks, ...central, new Uint8Array(end.buffer)])
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function f32(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer)
}

/** A checkpoint: `<archive>/data.pkl`, `data/<key>` per storage, version and byteorder entries. */
export function checkpoint(
  pkl: Uint8Array,
  storages: Record<string, Uint8Array>,
  o: { archive?: string; byteorder?: string; extra?: ZipEntrySpec[] } = {},
): Uint8Array {
  const a = o.archive ?? 'archive'
  return zipArchive([
    { name: `${a}/data.pkl`, data: pkl },
    { name: `${a}/byteorder`, data: enc.encode(o.byteorder ?? 'little') },
    ...Object.entries(storages).map(([k, data]) => ({ name: `${a}/data/${k}`, data })),
    { name: `${a}/version`, data: enc.encode('3\n') },
    ...(o.extra ?? []),
  ])
}

/** A one-tensor checkpoint whose float32 storage holds 0, 1, 2 … numel-1. */
export function simpleCheckpoint(
  t: Omit<TensorSpec, 'name' | 'key'> & { name?: string },
): Uint8Array {
  const spec = { name: 'w', key: '0', ...t }
  return checkpoint(stateDictPickle([spec]), {
    '0': f32(Array.from({ length: t.numel }, (_, i) => i)),
  })
}

const iota = (n: number) => Array.from({ length: n }, (_, i) => i)

/** The tiny-bert fixture's weights as a PyTorch checkpoint, with an MLM head and position_ids. */
export function tinyTorchCheckpoint(hidden = 4): Uint8Array {
  const specs: TensorSpec[] = [
    { name: 'bert.embeddings.word_embeddings.weight', key: '0', numel: 96, shape: [24, hidden] },
    {
      name: 'bert.embeddings.position_ids',
      key: '1',
      type: 'LongStorage',
      numel: 16,
      shape: [1, 16],
    },
    { name: 'cls.predictions.decoder.weight', key: '0', numel: 96, shape: [24, hidden] },
    { name: 'cls.predictions.bias', key: '2', numel: 24, shape: [24] },
  ]
  return checkpoint(stateDictPickle(specs), {
    '0': f32(iota(96).map((i) => (i % 7) / 10)),
    '1': new Uint8Array(BigInt64Array.from(iota(16).map(BigInt)).buffer),
    '2': f32(iota(24)),
  })
}
