// HTTP pieces both local servers use (the web bridge and cts serve): a constant-time token check
// and a body reader with a size limit. Node only; no app imports.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/**
 * True when a token was presented and equals `token`. Both sides are hashed first, so the
 * comparison takes the same time whatever the presented token's length or content. Both
 * servers check their tokens with this function.
 */
export function tokensEqual(presented: string | undefined, token: string): boolean {
  const equal = timingSafeEqual(digest(presented ?? ''), digest(token))
  return !!presented && equal
}

export class BodyTooLargeError extends Error {}

/**
 * Reads the whole body, rejecting with `tooLarge()` as soon as it passes `limit` bytes (the rest is
 * read and dropped). Each server passes its own error.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  tooLarge: () => Error = () => new BodyTooLargeError(),
): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) return void chunks.push(chunk)
      req.off('data', onData)
      req.resume()
      reject(tooLarge())
    }
    req.on('data', onData)
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
