// A small ELF reader: the RUNPATH (or old-style RPATH) of a shared library, read from its dynamic
// segment, so the installer and `cts gpu status` can check what patchelf wrote without readelf.
import { closeSync, openSync, readSync } from 'node:fs'
import { basename } from 'node:path'
import { CtsError } from '../../shared'

const PT_LOAD = 1
const PT_DYNAMIC = 2
const DT_NULL = 0n
const DT_STRTAB = 5n
const DT_RPATH = 15n
const DT_RUNPATH = 29n

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length)
  const got = readSync(fd, buf, 0, length, offset)
  return got === length ? buf : buf.subarray(0, got)
}

/**
 * The library's DT_RUNPATH, else its DT_RPATH, else null. Only 64-bit little-endian ELF (x86-64,
 * arm64 Linux) is read; anything else is refused, never guessed. Reads only the headers, the
 * dynamic segment and the one string it needs, never the whole (often 500 MB) file.
 */
export function readRunpath(file: string): string | null {
  const fd = openSync(file, 'r')
  try {
    const head = readAt(fd, 0, 64)
    if (head.length < 16 || head.readUInt32BE(0) !== 0x7f454c46) {
      throw new CtsError('bad-input', `${basename(file)} is not an ELF shared library.`)
    }
    if (head[4] !== 2 || head[5] !== 1) {
      const kind =
        `${head[4] === 1 ? '32' : head[4] === 2 ? '64' : '?'}-bit ` +
        (head[5] === 2 ? 'big-endian' : head[5] === 1 ? 'little-endian' : 'unknown byte order')
      throw new CtsError(
        'unsupported',
        `${basename(file)} is a ${kind} ELF file; only 64-bit little-endian libraries are read.`,
      )
    }
    if (head.length < 64) throw new CtsError('bad-input', `${basename(file)} is truncated.`)
    const phoff = Number(head.readBigUInt64LE(32))
    const phentsize = head.readUInt16LE(54)
    const phnum = head.readUInt16LE(56)
    const phs = readAt(fd, phoff, phentsize * phnum)
    const loads: { vaddr: bigint; offset: bigint; filesz: bigint }[] = []
    let dyn: { offset: number; size: number } | undefined
    for (let i = 0; i < phnum && (i + 1) * phentsize <= phs.length; i++) {
      const p = phs.subarray(i * phentsize, (i + 1) * phentsize)
      const type = p.readUInt32LE(0)
      const offset = p.readBigUInt64LE(8)
      const vaddr = p.readBigUInt64LE(16)
      const filesz = p.readBigUInt64LE(32)
      if (type === PT_LOAD) loads.push({ vaddr, offset, filesz })
      if (type === PT_DYNAMIC) dyn = { offset: Number(offset), size: Number(filesz) }
    }
    if (!dyn) return null // a static executable: nothing to search
    const entries = readAt(fd, dyn.offset, dyn.size)
    let strtab: bigint | undefined
    let runpath: bigint | undefined
    let rpath: bigint | undefined
    for (let at = 0; at + 16 <= entries.length; at += 16) {
      const tag = entries.readBigInt64LE(at)
      const val = entries.readBigUInt64LE(at + 8)
      if (tag === DT_NULL) break
      if (tag === DT_STRTAB) strtab = val
      if (tag === DT_RUNPATH) runpath = val
      if (tag === DT_RPATH) rpath = val
    }
    const index = runpath ?? rpath
    if (index === undefined) return null
    if (strtab === undefined)
      throw new CtsError('bad-input', `${basename(file)} has no string table.`)
    // DT_STRTAB is an address in memory: the load segment that holds it gives its file offset.
    const seg = loads.find((l) => strtab! >= l.vaddr && strtab! < l.vaddr + l.filesz)
    if (!seg)
      throw new CtsError('bad-input', `${basename(file)}: its string table is not in the file.`)
    const start = Number(strtab - seg.vaddr + seg.offset + index)
    const chunks: Buffer[] = []
    for (let at = start; ; at += 256) {
      const part = readAt(fd, at, 256)
      const nul = part.indexOf(0)
      chunks.push(nul >= 0 ? part.subarray(0, nul) : part)
      if (nul >= 0 || part.length < 256) break
    }
    return Buffer.concat(chunks).toString('utf8')
  } finally {
    closeSync(fd)
  }
}
