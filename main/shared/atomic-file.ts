// Atomic file writes (temp file in the same folder + fsync + rename + fsync of the folder), so a
// crash or kill -9 leaves either the old file or the new one, never a torn one. Shared: run
// artifacts (ml, jobs, services) and the stored CV records (store) are written this way.
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { dirname, basename, join } from 'node:path'

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`)
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  const fd = openSync(tmp, 'w')
  try {
    let off = 0
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
    fsyncSync(fd)
  } catch (e) {
    closeSync(fd)
    unlinkSync(tmp)
    throw e
  }
  closeSync(fd)
  renameSync(tmp, path)
  syncDir(dirname(path))
}

export function syncDir(dir: string): void {
  // Directory fsync makes the rename itself durable; not every platform allows it (Windows).
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    /* best effort */
  }
}

/** Write atomically, refusing to replace an existing file (run artifacts are never overwritten). */
export function writeNewFileAtomic(path: string, data: Uint8Array | string): void {
  const staged = `${path}.partial-${process.pid}`
  writeFileAtomic(staged, data)
  // link() fails with EEXIST when the target exists, so two writers can never clobber each other.
  try {
    linkSync(staged, path)
  } finally {
    unlinkSync(staged)
  }
  syncDir(dirname(path))
}
