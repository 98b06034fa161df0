// Resumable download of one wheel: bytes go to `<file>.part`, a re-run asks the server for the rest
// (HTTP Range), and the finished file is renamed into place. No hashing here: install.ts verifies.
import {
  createWriteStream,
  existsSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { basename } from 'node:path'
import { CtsError } from '../../shared'

export interface DownloadTarget {
  url: string
  /** The final path; bytes go to `${path}.part` until all `size` bytes are there. */
  path: string
  size: number
}

/** How many bytes of the target are already on disk (finished file, or a .part of the right size). */
export function bytesOnDisk(t: DownloadTarget): number {
  if (existsSync(t.path)) return statSync(t.path).size
  const part = `${t.path}.part`
  if (!existsSync(part)) return 0
  const have = statSync(part).size
  return have <= t.size ? have : 0
}

const MAX_REDIRECTS = 5

function cancelled(): CtsError {
  return new CtsError(
    'cancelled',
    'The GPU pack installation was cancelled; what was downloaded is kept, so running it again resumes.',
  )
}

/**
 * Downloads the rest of `t` and returns the bytes fetched in this call. A .part longer than the
 * wheel, or a server that ignores Range (answers 200), starts the file over.
 */
export async function downloadResumable(
  t: DownloadTarget,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
): Promise<number> {
  if (existsSync(t.path)) return 0
  const part = `${t.path}.part`
  if (existsSync(part) && statSync(part).size > t.size) unlinkSync(part)
  let fetched = 0
  let url = t.url
  for (let hop = 0; ; hop++) {
    if (signal?.aborted) throw cancelled()
    const have = existsSync(part) ? statSync(part).size : 0
    if (have === t.size) break
    const res = await request(url, have, signal)
    const status = res.statusCode ?? 0
    if (status >= 300 && status < 400 && res.headers.location && hop < MAX_REDIRECTS) {
      res.resume()
      url = new URL(res.headers.location, url).toString()
      continue
    }
    if (status === 416) {
      // The server has no bytes past ours: the .part is not this wheel. Start over once.
      res.resume()
      unlinkSync(part)
      if (hop >= MAX_REDIRECTS) throw badAnswer(t, url, status)
      continue
    }
    if (status !== 200 && status !== 206) {
      res.resume()
      throw badAnswer(t, url, status)
    }
    const start = status === 206 ? have : 0
    if (start === 0 && have > 0) truncateSync(part, 0)
    fetched += await save(res, part, start, t.size, onBytes, signal)
    break
  }
  const done = statSync(part).size
  if (done !== t.size) {
    throw new CtsError(
      'gpu-pack-mismatch',
      `${basename(t.path)}: the server sent ${done} bytes, expected ${t.size}; the GPU pack was ` +
        'not installed; nothing was changed. Run the install again to resume the download.',
    )
  }
  renameSync(part, t.path)
  return fetched
}

function badAnswer(t: DownloadTarget, url: string, status: number): CtsError {
  return new CtsError(
    'gpu-pack-download',
    `${basename(t.path)}: ${new URL(url).host} answered HTTP ${status}; the GPU pack was not ` +
      'installed. Copy the wheels to a folder and install from it instead (docs/GPU.md).',
    { url, status },
  )
}

function request(url: string, from: number, signal?: AbortSignal): Promise<http.IncomingMessage> {
  const u = new URL(url)
  const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined
  if (!lib) {
    return Promise.reject(
      new CtsError('bad-input', `${url}: only https (or http) can be downloaded.`),
    )
  }
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'user-agent': 'clinical-text-studio-gpu-pack' }
    if (from > 0) headers.range = `bytes=${from}-`
    // agent: false — no kept-alive socket to the index outlives the announced allowance.
    const req = lib.get(u, { headers, agent: false, ...(signal ? { signal } : {}) }, resolve)
    req.on('error', (err: Error & { code?: string }) => {
      if (signal?.aborted) return reject(cancelled())
      if (err instanceof CtsError) return reject(err)
      reject(
        new CtsError(
          'gpu-pack-download',
          `${u.host}: ${err.message}; the GPU pack was not installed. What was downloaded is ` +
            'kept: run the install again to resume, or install from a folder of copied wheels.',
        ),
      )
    })
  })
}

/** Appends the body to the .part; never more than the wheel's size. */
function save(
  res: http.IncomingMessage,
  part: string,
  start: number,
  size: number,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(part, { flags: start > 0 ? 'a' : 'w' })
    let got = 0
    let failed: Error | undefined
    const fail = (err: Error) => {
      if (failed) return
      failed = err
      res.destroy()
      out.end() // what was written stays in the .part: the next run resumes from there
    }
    res.on('data', (chunk: Buffer) => {
      if (failed) return
      if (start + got + chunk.length > size) {
        fail(
          new CtsError(
            'gpu-pack-mismatch',
            `${basename(part, '.part')}: the server sent more than the pinned ${size} bytes; the ` +
              'GPU pack was not installed; nothing was changed.',
          ),
        )
        return
      }
      got += chunk.length
      onBytes(chunk.length)
      if (!out.write(chunk)) {
        res.pause()
        out.once('drain', () => res.resume())
      }
    })
    res.on('end', () => {
      if (!failed) out.end()
    })
    const lost = () => fail(signal?.aborted ? cancelled() : new Error('the connection was lost'))
    res.on('error', lost)
    res.on('aborted', lost)
    out.on('error', (err) => fail(err))
    const onAbort = () => fail(cancelled())
    signal?.addEventListener('abort', onAbort, { once: true })
    out.on('close', () => {
      signal?.removeEventListener('abort', onAbort)
      if (!failed) return resolve(got)
      if (failed instanceof CtsError) {
        // Too many bytes: this is not the pinned wheel, so the next run starts it over.
        if (failed.code === 'gpu-pack-mismatch') rmSync(part, { force: true })
        return reject(failed)
      }
      // A cut-off .part of the server's bytes is kept: the next run resumes from there.
      const kept = existsSync(part) ? statSync(part).size : 0
      reject(
        new CtsError(
          'gpu-pack-download',
          `${basename(part, '.part')}: ${failed.message}; the ${kept} bytes received are kept: ` +
            'run the install again to resume.',
        ),
      )
    })
  })
}
