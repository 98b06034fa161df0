// One consistent read of a project's labels on PostgreSQL (training, the model in the loop): a
// repeatable-read transaction whose snapshot includes every label write with a smaller history id.
import { CtsError } from '../../shared'
import type { PgDatabase, PgQueryable } from './pg-database'

/**
 * Runs `read` in ONE repeatable-read transaction whose snapshot no label write can slip under.
 * History ids are drawn under a per-text lock only, so an id below MAX(id) can commit later. A
 * short transaction takes a SHARE lock on annotation_history (it waits for every label write in
 * flight), exports its snapshot, hands it to the reading one and commits: label writes wait for
 * those few statements only, not for the reads, and no label at or below the newest history id
 * the read sees is missing from it. Two pooled connections at once: the reading one is taken
 * first, so the short one never waits behind label writes that wait for its lock; one snapshot at
 * a time per database, so snapshots cannot take every pooled connection between them.
 */
export function labelSnapshotTx<T>(
  db: PgDatabase,
  read: (q: PgQueryable) => Promise<T>,
): Promise<T> {
  return oneSnapshotAtATime(db, () => snapshotTx(db, read))
}

// Snapshots in flight per database (its pool): one at a time. Each holds two pooled connections
// at once, so as many concurrent snapshots as the pool has connections would each hold the
// reading one and wait forever for a second one (until 'team-busy') — a starved pool.
const inFlight = new WeakMap<PgDatabase, Promise<unknown>>()

function oneSnapshotAtATime<T>(db: PgDatabase, work: () => Promise<T>): Promise<T> {
  const previous = inFlight.get(db) ?? Promise.resolve()
  const mine = previous.then(work, work)
  inFlight.set(
    db,
    mine.catch(() => undefined),
  )
  return mine
}

function snapshotTx<T>(db: PgDatabase, read: (q: PgQueryable) => Promise<T>): Promise<T> {
  return db.tx(
    async (q) => {
      await db.tx(
        async (lock) => {
          await lock.run('LOCK TABLE annotation_history IN SHARE MODE')
          const { id } = (await lock.row<{ id: string }>('SELECT pg_export_snapshot() AS id')) as {
            id: string
          }
          // SET TRANSACTION SNAPSHOT takes no parameters; the server's id is hex and dashes.
          if (!/^[0-9A-F-]+$/i.test(id))
            throw new CtsError('internal', 'The server returned an unexpected snapshot id.')
          await q.run(`SET TRANSACTION SNAPSHOT '${id}'`)
        },
        { isolation: 'repeatable read' },
      )
      return read(q)
    },
    { isolation: 'repeatable read' },
  )
}

/** The newest annotation_history id of a project in the caller's snapshot (0 when none). */
export async function pgHistoryMark(q: PgQueryable, projectId: number): Promise<number> {
  const { historyId } = (await q.row<{ historyId: number }>(
    'SELECT COALESCE(MAX(id), 0) AS "historyId" FROM annotation_history WHERE project_id = $1',
    [projectId],
  )) as { historyId: number }
  return historyId
}
