// The texts the model choice reads of a project (a seeded sample, labelled or not), behind an
// asynchronous interface, and its SQLite implementation.
import type { Database } from 'better-sqlite3'

export interface TextSampleRepository {
  /**
   * Some of a project's texts: `pick(n)` chooses positions among its n texts in id order.
   * Undefined when the project does not exist.
   */
  textSample(
    projectId: number,
    pick: (n: number) => number[],
  ): Promise<{ texts: string[]; total: number } | undefined>
}

export class SqliteTextSampleRepository implements TextSampleRepository {
  constructor(private readonly db: Database) {}

  async textSample(
    projectId: number,
    pick: (n: number) => number[],
  ): Promise<{ texts: string[]; total: number } | undefined> {
    if (!this.db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) return undefined
    const ids = this.db
      .prepare('SELECT id FROM texts WHERE project_id = ? ORDER BY id')
      .pluck()
      .all(projectId) as number[]
    const select = this.db.prepare('SELECT text FROM texts WHERE id = ?').pluck()
    const texts = pick(ids.length).map((i) => select.get(ids[i]) as string)
    return { texts, total: ids.length }
  }
}
