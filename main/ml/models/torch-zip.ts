// Reads the zip container of PyTorch checkpoints (torch ≥ 1.6) through its central directory, one
// entry at a time, so a 400 MB file is never held twice and a damaged or hostile archive is refused.
//
// Why not jszip (already a dependency): it loads the whole archive into memory and copies every
// entry once more, cannot read a single entry from a file handle (a names-and-shapes check would
// read 400 MB), and inflates without a size cap. torch.save writes every entry stored (no
// compression), so a small central-directory reader is all we need; node:zlib's inflateRawSync
// with maxOutputLength covers the rare re-zipped (deflated) file and caps it at its declared size.
import { open } from 'node:fs/promises'
import { crc32, inflateRawSync } from 'node:zlib'
import { CtsError } from '../../shared'

/** Random access to the checkpoint's bytes: a file handle in the app, a buffer in tests. */
export interface ByteSource {
  readonly size: number
  /** Returns `length` bytes at `offset` in a fresh buffer the caller owns (byteOffset 0). */
  read(offset: number, length: number): Promise<Uint8Array>
  close(): Promise<void>
}

export interface ZipEntry {
  name: string
  /** 0 = stored, 8 = deflated (nothing else is accepted). */
  method: number
  compressedSize: number
  size: number
  crc32: number
  localHeaderOffset: number
}

export interface ZipArchive {
  /** Entries by name, in central-directory order. */
  entries: Map<string, ZipEntry>
  /** The entry's bytes (inflated, checksum-verified) in a buffer of their own. */
  read(entry: ZipEntry): Promise<Uint8Array>
}

const EOCD = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_EOCD = 0x06064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const MAX_COMMENT = 0xffff

export function bad(label: string, message: string): CtsError {
  return new CtsError('bad-input', `${label}: ${message}`)
}

/** A name from the file, made safe to show: control characters escaped, long names cut. */
export function shown(s: string): string {
  const j = JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s)
  return j.slice(1, -1)
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.slice(offset, offset + length),
    close: async () => {},
  }
}

export async function fileSource(path: string, label: string): Promise<ByteSource> {
  let fh
  try {
    fh = await open(path, 'r')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new CtsError('not-found', `${label}: file not found`)
    throw bad(label, `cannot be read (${code ?? 'error'})`)
  }
  const handle = fh
  const { size } = await handle.stat()
  return {
    size,
    async read(offset, length) {
      const out = new Uint8Array(length)
      let done = 0
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done)
        if (bytesRead === 0) throw bad(label, 'the file changed or shrank while it was being read')
        done += bytesRead
      }
      return out
    },
    close: () => handle.close(),
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

/** A u64 that must fit in a JS number (2^53); larger values only appear in hostile files. */
function u64(dv: DataView, at: number, label: string, what: string): number {
  const low = dv.getUint32(at, true)
  const high = dv.getUint32(at + 4, true)
  if (high >= 0x200000) throw bad(label, `the zip directory declares an impossible ${what}`)
  return high * 0x100000000 + low
}

/** Entry names are never written to disk, but a name that climbs out is a sign of a crafted file. */
function checkName(name: string, label: string): void {
  const parts = name.split('/')
  if (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    /^[A-Za-z]:/.test(name) ||
    parts.includes('..')
  ) {
    throw bad(
      label,
      `refuses to load: the zip entry "${shown(name)}" points outside the archive (path traversal), which a checkpoint never does`,
    )
  }
}

async function findEnd(src: ByteSource, label: string) {
  const tailLength = Math.min(src.size, 22 + MAX_COMMENT + 20)
  const tail = await src.read(src.size - tailLength, tailLength)
  const dv = view(tail)
  for (let i = tailLength - 22; i >= 0; i--) {
    if (dv.getUint32(i, true) !== EOCD || i + 22 + dv.getUint16(i + 20, true) !== tailLength)
      continue
    const end = { pos: src.size - tailLength + i, count: 0, cdSize: 0, cdOffset: 0 }
    if (dv.getUint16(i + 4, true) !== 0 || dv.getUint16(i + 6, true) !== 0) {
      throw new CtsError(
        'unsupported',
        `${label}: zip archives split over several files are not supported`,
      )
    }
    end.count = dv.getUint16(i + 10, true)
    end.cdSize = dv.getUint32(i + 12, true)
    end.cdOffset = dv.getUint32(i + 16, true)
    // torch always adds the zip64 records; they hold the real values when the classic ones overflow.
    if (i >= 20 && dv.getUint32(i - 20, true) === ZIP64_LOCATOR) {
      const at = u64(dv, i - 12, label, 'zip64 record offset')
      if (at + 56 > end.pos - 20) throw bad(label, 'the zip64 end record lies outside the file')
      const rec = view(await src.read(at, 56))
      if (rec.getUint32(0, true) !== ZIP64_EOCD) throw bad(label, 'the zip64 end record is damaged')
      end.count = u64(rec, 32, label, 'entry count')
      end.cdSize = u64(rec, 40, label, 'directory size')
      end.cdOffset = u64(rec, 48, label, 'directory offset')
      end.pos = at
    }
    return end
  }
  const head = await src.read(0, Math.min(4, src.size))
  if (head.length === 4 && view(head).getUint32(0, true) === LOCAL) {
    throw bad(
      label,
      'the file is truncated: it starts as a zip archive but its end-of-archive record is missing (the download or copy was cut short; fetch the file again)',
    )
  }
  throw bad(label, 'is not a zip archive, so it is not a PyTorch checkpoint of torch 1.6 or later')
}

function parseCentral(cd: Uint8Array, count: number, label: string): Map<string, ZipEntry> {
  const dv = view(cd)
  const entries = new Map<string, ZipEntry>()
  const decoder = new TextDecoder('utf-8')
  let p = 0
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== CENTRAL) {
      throw bad(label, `the zip directory is damaged at entry ${k + 1} of ${count}`)
    }
    const flags = dv.getUint16(p + 8, true)
    const method = dv.getUint16(p + 10, true)
    const nameLen = dv.getUint16(p + 28, true)
    const extraLen = dv.getUint16(p + 30, true)
    const commentLen = dv.getUint16(p + 32, true)
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) {
      throw bad(label, `the zip directory is damaged at entry ${k + 1} of ${count}`)
    }
    const name = decoder.decode(cd.subarray(p + 46, p + 46 + nameLen))
    checkName(name, label)
    if (flags & 1)
      throw new CtsError('unsupported', `${label}: the zip entry "${shown(name)}" is encrypted`)
    if (method !== 0 && method !== 8) {
      throw new CtsError(
        'unsupported',
        `${label}: the zip entry "${shown(name)}" uses compression method ${method}; only stored and deflated entries can be read`,
      )
    }
    let compressedSize = dv.getUint32(p + 20, true)
    let size = dv.getUint32(p + 24, true)
    let localHeaderOffset = dv.getUint32(p + 42, true)
    // Zip64 extra field: the 64-bit values of the fields that hold 0xFFFFFFFF, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = dv.getUint16(e, true)
      const len = dv.getUint16(e + 2, true)
      if (id === 1) {
        let q = e + 4
        const next = () => {
          if (q + 8 > e + 4 + len) throw bad(label, `the zip64 field of "${shown(name)}" is short`)
          q += 8
          return u64(dv, q - 8, label, 'entry size')
        }
        if (size === 0xffffffff) size = next()
        if (compressedSize === 0xffffffff) compressedSize = next()
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next()
      }
      e += 4 + len
    }
    if (entries.has(name)) {
      throw bad(label, `refuses to load: the zip holds the entry "${shown(name)}" twice`)
    }
    entries.set(name, {
      name,
      method,
      compressedSize,
      size,
      crc32: dv.getUint32(p + 16, true),
      localHeaderOffset,
    })
    p += 46 + nameLen + extraLen + commentLen
  }
  return entries
}

async function readEntry(
  src: ByteSource,
  entry: ZipEntry,
  dataLimit: number,
  label: string,
): Promise<Uint8Array> {
  const where = `the zip entry "${shown(entry.name)}"`
  const cut = () =>
    bad(label, `is truncated: the file ends inside ${where} (the download or copy was cut short)`)
  if (entry.localHeaderOffset + 30 > dataLimit) throw cut()
  const local = view(await src.read(entry.localHeaderOffset, 30))
  if (local.getUint32(0, true) !== LOCAL) throw bad(label, `${where} has a damaged header`)
  const start = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true)
  if (start + entry.compressedSize > dataLimit) throw cut()
  let data: Uint8Array
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) {
      throw bad(
        label,
        `refuses to load: ${where} declares ${entry.size} bytes but stores ${entry.compressedSize}`,
      )
    }
    data = await src.read(start, entry.size)
  } else {
    const packed = await src.read(start, entry.compressedSize)
    let out: Buffer
    try {
      // The cap makes a decompression bomb stop at the size the directory declared.
      out = inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.size) })
    } catch (err) {
      if (
        (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ||
        err instanceof RangeError
      ) {
        throw bad(
          label,
          `refuses to load: ${where} inflates to more than the ${entry.size} bytes it declares (a decompression bomb or a damaged file)`,
        )
      }
      throw bad(label, `${where} is damaged: its compressed data cannot be inflated`)
    }
    if (out.length !== entry.size) {
      throw bad(
        label,
        `refuses to load: ${where} inflates to ${out.length} bytes but declares ${entry.size}`,
      )
    }
    data = out.byteOffset === 0 && out.buffer.byteLength === out.length ? out : new Uint8Array(out)
  }
  if (crc32(data) >>> 0 !== entry.crc32) {
    throw bad(label, `${where} is damaged: its checksum does not match (fetch the file again)`)
  }
  return data
}

/** Reads and validates the central directory; entries are read later, on demand. */
export async function openZip(src: ByteSource, label: string): Promise<ZipArchive> {
  if (src.size < 22) {
    throw bad(label, `the file is ${src.size} bytes, too short to be a PyTorch checkpoint`)
  }
  const end = await findEnd(src, label)
  if (end.cdOffset + end.cdSize > end.pos || end.cdSize < end.count * 46) {
    throw bad(
      label,
      'the zip directory does not fit in the file (the file is damaged or truncated)',
    )
  }
  const entries = parseCentral(await src.read(end.cdOffset, end.cdSize), end.count, label)
  return { entries, read: (entry) => readEntry(src, entry, end.cdOffset, label) }
}
