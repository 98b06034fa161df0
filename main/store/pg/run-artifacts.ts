// A team workspace's run files in the database (issue #17 point 6): each file of a finished run as
// 1 MiB bytea chunks with its size and sha256, so another member's computer can fill its local
// copy of the run folder and refuse a damaged one before anything reads it.
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { CtsError } from '../../shared'
import { damagedArtifact, type RunArtifactFile, type RunArtifactStore } from '../run-artifacts'
import type { PgDatabase, PgQueryable } from './pg-database'

/** Bytes per stored chunk: big enough for few rows, small enough for one statement each. */
export const RUN_ARTIFACT_CHUNK = 1 << 20

export class PgRunArtifacts implements RunArtifactStore {
  constructor(private readonly db: PgDatabase) {}

  async put(runId: number, files: { path: string; file: string }[]): Promise<RunArtifactFile[]> {
    const stored: RunArtifactFile[] = []
    await this.db.tx(async (q) => {
      stored.length = 0
      // The run row, locked: a run deleted meanwhile gets no orphan files (and the FK says so).
      const run = await q.row('SELECT id FROM runs WHERE id = $1 FOR NO KEY UPDATE', [runId])
      if (!run) throw new CtsError('not-found', `Run ${runId} does not exist in this workspace.`)
      await q.run('DELETE FROM run_artifacts WHERE run_id = $1', [runId])
      for (const f of files) stored.push(await putFile(q, runId, f.path, f.file))
    })
    return stored
  }

  async list(runId: number): Promise<RunArtifactFile[]> {
    return this.db.rows<RunArtifactFile>(
      'SELECT path, size, sha256 FROM run_artifacts WHERE run_id = $1 ORDER BY path',
      [runId],
    )
  }

  async fetch(runId: number, stored: RunArtifactFile, file: string): Promise<void> {
    // One snapshot: the chunks and the recorded hash belong to one upload.
    await this.db.tx(
      async (q) => {
        const head = await q.row<{ size: number; sha256: string; chunks: number }>(
          'SELECT size, sha256, chunks FROM run_artifacts WHERE run_id = $1 AND path = $2',
          [runId, stored.path],
        )
        if (!head || head.sha256 !== stored.sha256 || head.size !== stored.size)
          throw damagedArtifact(runId, stored.path, 'it changed while it was being read')
        const h = createHash('sha256')
        let size = 0
        const out = await open(file, 'w', 0o600)
        try {
          // Chunk by chunk: a 90 MB model never sits in memory whole.
          for (let seq = 0; seq < head.chunks; seq++) {
            const c = await q.row<{ data: Buffer }>(
              'SELECT data FROM run_artifact_chunks WHERE run_id = $1 AND path = $2 AND seq = $3',
              [runId, stored.path, seq],
            )
            if (!c) throw damagedArtifact(runId, stored.path, `chunk ${seq + 1} is missing`)
            h.update(c.data)
            size += c.data.length
            await out.write(c.data)
          }
        } finally {
          await out.close()
        }
        if (size !== head.size)
          throw damagedArtifact(runId, stored.path, `${size} bytes instead of ${head.size}`)
        if (h.digest('hex') !== head.sha256)
          throw damagedArtifact(runId, stored.path, 'its sha256 does not match')
      },
      { isolation: 'repeatable read' },
    )
  }
}

/** Stores one local file as chunks, hashing it on the way (one pass over the file). */
async function putFile(
  q: PgQueryable,
  runId: number,
  path: string,
  file: string,
): Promise<RunArtifactFile> {
  // The row first (the chunks reference it); its size and hash once every chunk is in.
  await q.run(
    `INSERT INTO run_artifacts (run_id, path, size, sha256, chunks, stored_at)
       VALUES ($1, $2, 0, '', 0, $3)`,
    [runId, path, new Date().toISOString()],
  )
  const h = createHash('sha256')
  let size = 0
  let seq = 0
  const input = await open(file, 'r')
  try {
    const buf = Buffer.alloc(RUN_ARTIFACT_CHUNK)
    // Asynchronous reads: the backend keeps answering while a 90 MB model is stored.
    for (
      let n = (await input.read(buf)).bytesRead;
      n > 0;
      n = (await input.read(buf)).bytesRead, seq++
    ) {
      const data = Buffer.from(buf.subarray(0, n))
      h.update(data)
      size += n
      await q.run(
        'INSERT INTO run_artifact_chunks (run_id, path, seq, data) VALUES ($1, $2, $3, $4)',
        [runId, path, seq, data],
      )
    }
  } finally {
    await input.close()
  }
  const sha256 = h.digest('hex')
  await q.run(
    'UPDATE run_artifacts SET size = $1, sha256 = $2, chunks = $3 WHERE run_id = $4 AND path = $5',
    [size, sha256, seq, runId, path],
  )
  return { path, size, sha256 }
}
