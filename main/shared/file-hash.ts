// A file's sha256, streamed and asynchronous: model weights and run files can be hundreds of MB,
// and the backend must keep answering while they are hashed.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/** A file's sha256 (hex), streamed: model weights can be gigabytes. */
export function sha256File(path: string): Promise<string> {
  return new Promise((ok, fail) => {
    const hash = createHash('sha256')
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => ok(hash.digest('hex')))
  })
}
