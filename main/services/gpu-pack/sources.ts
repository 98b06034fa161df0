// Where the installer's wheels come from: a folder the user copied them into (matched by file
// name), or downloads from the index, announced per host and resumable (see download.ts).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { CtsError } from '../../shared'
import { allowAnnouncedEgress } from '../../shared/egress-guard'
import { bytesOnDisk, downloadResumable, type DownloadTarget } from './download'
import { NOT_INSTALLED } from './extract'
import type { GpuPackWheel } from './lock'
import type { GpuPackProgress, GpuPackSource } from './types'

export interface FetchContext {
  source: GpuPackSource
  announce?: (line: string) => void
  report: (p: GpuPackProgress) => void
  signal?: AbortSignal
}

// Binary megabytes, as the progress lines and the app count them.
const mb = (bytes: number): number => Math.max(1, Math.ceil(bytes / (1024 * 1024)))

/** The user's folder of copied wheels, matched by the lock's file names. */
export function locateInFolder(
  dir: string,
  wheels: GpuPackWheel[],
): { files: string[]; fetched: number } {
  const files = wheels.map((w) => join(dir, w.file))
  const missing = wheels.filter((_, i) => !existsSync(files[i]!)).map((w) => w.file)
  if (missing.length > 0) {
    throw new CtsError(
      'not-found',
      `${dir} lacks ${missing.length} of the ${wheels.length} wheels: ${missing.join(', ')}. ` +
        `Copy them into it (docs/GPU.md lists them); ${NOT_INSTALLED}`,
      { missing },
    )
  }
  return { files, fetched: 0 }
}

/**
 * Copies the user's wheels into a folder of our own before they are checked: a shared folder or a
 * USB stick may change under us, and what is hashed must be exactly what is unpacked.
 */
export function copyIntoDownloads(files: string[], into: string): string[] {
  mkdirSync(into, { recursive: true })
  return files.map((file) => {
    const copy = join(into, basename(file))
    copyFileSync(file, copy)
    return copy
  })
}

/** Downloads what is not yet in downloads/, announcing each host before connecting to it. */
export async function fetchAll(
  c: FetchContext,
  wheels: GpuPackWheel[],
  downloads: string,
): Promise<{ files: string[]; fetched: number }> {
  const index = c.source.kind === 'index' ? c.source.indexUrl : undefined
  const targets: DownloadTarget[] = wheels.map((w) => ({
    url: index ? `${index.replace(/\/+$/, '')}/${w.file}` : w.url,
    path: join(downloads, w.file),
    size: w.size,
  }))
  mkdirSync(downloads, { recursive: true })
  const total = wheels.reduce((s, w) => s + w.size, 0)
  let done = targets.reduce((s, t) => s + bytesOnDisk(t), 0)
  const need = new Map<string, number>()
  for (const t of targets) {
    const left = t.size - bytesOnDisk(t)
    if (left <= 0) continue
    const host = new URL(t.url).hostname
    need.set(host, (need.get(host) ?? 0) + left)
  }
  const releases = [...need].map(([host, bytes]) =>
    allowAnnouncedEgress(
      host,
      `This command connects to ${host} to download the NVIDIA GPU pack (${mb(bytes)} MB) into ` +
        `${downloads}; it and \`cts model install --from-index\` are the only downloads ` +
        'Clinical Text Studio makes.',
      c.announce,
    ),
  )
  let fetched = 0
  try {
    for (const [i, t] of targets.entries()) {
      fetched += await downloadResumable(
        t,
        (n) =>
          c.report({
            phase: 'download',
            file: wheels[i]!.file,
            bytes: (done += n),
            totalBytes: total,
          }),
        c.signal,
      )
    }
  } finally {
    for (const r of releases) r()
  }
  return { files: targets.map((t) => t.path), fetched }
}
