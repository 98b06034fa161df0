// One installer at a time per pack root (the app's button and `cts gpu install` may race): a lock
// file holding the owner's process id; a lock whose process is gone is taken over.
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { CtsError } from '../../shared'

const LOCK = '.install.lock'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the root's install lock and returns its release; the root must exist. */
export function takeInstallLock(root: string): () => void {
  const file = join(root, LOCK)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      let released = false
      return () => {
        if (released) return
        released = true
        rmSync(file, { force: true })
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10)
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new CtsError(
          'conflict',
          `Another installation or removal of the GPU pack is running (process ${pid}); wait ` +
            'for it to finish, then try again.',
          { pid },
        )
      }
      rmSync(file, { force: true }) // left by a process that no longer runs
    }
  }
  throw new CtsError('conflict', `The GPU pack's install lock ${file} cannot be taken.`)
}
