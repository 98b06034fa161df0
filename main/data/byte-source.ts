// Opens an import's bytes as a stream, reads the head or tail for sniffing, whatever the origin
// (a path on disk, or bytes uploaded through the browser build).
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { Readable } from 'node:stream'
import { CtsError } from '../shared'
import type { SourceInput } from './types'

/** The file name the user knows this input by (for extension checks and messages). */
export function sourceName(input: SourceInput): string {
  return 'path' in input ? basename(input.path) : input.name
}

/** Lower-case extension without the dot ('' when there is none). */
export function sourceExtension(input: SourceInput): string {
  const name = sourceName(input)
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
}

/** The file's bytes as a stream; the caller destroys it when it stops early. */
export function openStream(input: SourceInput): Readable {
  if ('path' in input) return createReadStream(input.path, { highWaterMark: 64 * 1024 })
  return Readable.from([
    Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength),
  ])
}

/** Total size in bytes. */
export async function sourceSize(input: SourceInput): Promise<number> {
  if ('path' in input) return (await guard(input, () => stat(input.path))).size
  return input.bytes.byteLength
}

/** Up to `length` bytes from `position` (clamped to the file). */
export async function readRange(
  input: SourceInput,
  position: number,
  length: number,
): Promise<Buffer> {
  if (!('path' in input)) {
    const start = Math.max(0, Math.min(position, input.bytes.byteLength))
    const end = Math.min(input.bytes.byteLength, start + length)
    return Buffer.from(input.bytes.subarray(start, end))
  }
  return guard(input, async () => {
    const handle = await open(input.path, 'r')
    try {
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buffer, 0, length, Math.max(0, position))
      return buffer.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  })
}

/** Turns file-system failures into messages a clinician can act on. */
async function guard<T>(input: SourceInput, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    throw fileError(input, err)
  }
}

export function fileError(input: SourceInput, err: unknown): Error {
  if (err instanceof CtsError) return err
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const name = sourceName(input)
  if (code === 'ENOENT') return new CtsError('not-found', `The file "${name}" was not found.`)
  if (code === 'EACCES' || code === 'EPERM')
    return new CtsError('forbidden', `The file "${name}" cannot be opened: permission denied.`)
  if (code === 'EISDIR') return new CtsError('bad-input', `"${name}" is a folder, not a file.`)
  return new CtsError('bad-input', `The file "${name}" could not be read.`)
}
