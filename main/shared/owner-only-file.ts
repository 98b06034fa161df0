// Files that hold secrets (team server passwords): written atomically, readable and writable by
// their owner only (0600, in a folder created 0700), as libpq asks of ~/.pgpass.
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'

/** Writes `text` to `file` with mode 0600, through a new temp file and a rename. */
export function writeOwnerOnlyFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.tmp`
  // A leftover temp file could have a wider mode: start from a new one ('wx').
  rmSync(tmp, { force: true })
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    const bytes = Buffer.from(text, 'utf8')
    let off = 0
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
    fsyncSync(fd)
  } catch (err) {
    closeSync(fd)
    unlinkSync(tmp)
    throw err
  }
  closeSync(fd)
  // The umask may only narrow the mode; make it exactly 0600 before it gets its name.
  chmodSync(tmp, 0o600)
  renameSync(tmp, file)
}
