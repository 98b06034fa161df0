// The sample of a project's texts the model choice reads, on PostgreSQL: the same
// TextSampleRepository as text-sample-repository.ts.
import type { TextSampleRepository } from '../text-sample-repository'
import type { PgDatabase } from './pg-database'

export class PgTextSampleRepository implements TextSampleRepository {
  constructor(private readonly db: PgDatabase) {}

  async textSample(
    projectId: number,
    pick: (n: number) => number[],
  ): Promise<{ texts: string[]; total: number } | undefined> {
    // One snapshot: the ids counted are the ids whose texts are read.
    return this.db.tx(
      async (q) => {
        if (!(await q.row('SELECT 1 FROM projects WHERE id = $1', [projectId]))) return undefined
        const ids = (
          await q.rows<{ id: number }>('SELECT id FROM texts WHERE project_id = $1 ORDER BY id', [
            projectId,
          ])
        ).map((r) => r.id)
        const chosen = pick(ids.length).map((i) => ids[i])
        const rows = await q.rows<{ id: number; text: string }>(
          'SELECT id, text FROM texts WHERE id = ANY($1::int[])',
          [chosen],
        )
        const byId = new Map(rows.map((r) => [r.id, r.text]))
        return { texts: chosen.map((id) => byId.get(id) as string), total: ids.length }
      },
      { isolation: 'repeatable read' },
    )
  }
}
