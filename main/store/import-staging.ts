// Stages an import in temporary tables while the file streams in, then moves it into the project
// in one transaction. Nothing touches the project's tables until commit, so a file that fails to
// read halfway leaves the workspace exactly as it was, and labelling can go on meanwhile.
import type { Database } from 'better-sqlite3'
import { REFERENCE_ANNOTATOR, resolveText, writeAnnotatorRow } from './annotator-labels-repo'

export interface StagedRow {
  row: number
  text: string
  hash: string
  externalId: string | null
  groupId: string | null
  /** The split named in the file's split column; null when none. */
  split: 'train' | 'dev' | 'test' | null
  /** Label names from the row's label cell, already split and trimmed. */
  labels: string[]
}

let stagingSeq = 0

export class ImportStaging {
  private readonly table: string
  private readonly labelTable: string

  constructor(private readonly db: Database) {
    // Temporary tables belong to this connection and vanish with it (also after a crash).
    stagingSeq += 1
    this.table = `import_stage_${stagingSeq}`
    this.labelTable = `import_stage_${stagingSeq}_labels`
    db.exec(`
      CREATE TEMP TABLE ${this.table} (
        seq INTEGER PRIMARY KEY, row INTEGER NOT NULL, text TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
        external_id TEXT, group_id TEXT, split TEXT);
      CREATE TEMP TABLE ${this.labelTable} (
        seq INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (seq, name)) WITHOUT ROWID;
    `)
  }

  /** Stages rows; returns how many repeated a text already staged from this file. */
  addBatch(rows: StagedRow[]): number {
    const insertText = this.db.prepare(
      `INSERT INTO temp.${this.table} (row, text, hash, external_id, group_id, split) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (hash) DO NOTHING`,
    )
    const insertLabel = this.db.prepare(
      `INSERT INTO temp.${this.labelTable} (seq, name) VALUES (?, ?) ON CONFLICT DO NOTHING`,
    )
    let duplicates = 0
    this.db.transaction(() => {
      for (const r of rows) {
        const info = insertText.run(r.row, r.text, r.hash, r.externalId, r.groupId, r.split)
        if (info.changes === 0) {
          duplicates += 1
          continue
        }
        for (const name of r.labels) insertLabel.run(info.lastInsertRowid, name)
      }
    })()
    return duplicates
  }

  /** Distinct label names in order of first appearance. */
  labelNames(): string[] {
    return (
      this.db
        .prepare(`SELECT name FROM temp.${this.labelTable} GROUP BY name ORDER BY MIN(seq)`)
        .all() as {
        name: string
      }[]
    ).map((r) => r.name)
  }

  stagedCount(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM temp.${this.table}`).get() as { n: number })
      .n
  }

  /**
   * Inserts the staged texts that the project does not hold yet and their labels. A text with a
   * label the project does not have is left unlabelled. The file's labels are recorded as
   * `annotator`'s own (the reference annotator's when none is named); a named annotator's labels
   * on texts the project already held are added where that annotator has no row yet (their own
   * labels are never overwritten), and those texts' gold labels re-resolved. Call inside the
   * import's transaction.
   */
  commitInto(projectId: number, importId: number, annotator?: string): { imported: number } {
    const p = { projectId, importId }
    const who = annotator ?? REFERENCE_ANNOTATOR
    const now = new Date().toISOString()
    const imported = this.db
      .prepare(
        `INSERT INTO texts (project_id, text, content_hash, source_row, external_id, group_id, split, import_id)
         SELECT @projectId, s.text, s.hash, s.row, s.external_id, s.group_id, s.split, @importId
           FROM temp.${this.table} s
          WHERE NOT EXISTS (SELECT 1 FROM texts t WHERE t.project_id = @projectId AND t.content_hash = s.hash)
          ORDER BY s.seq`,
      )
      .run(p).changes
    this.db
      .prepare(
        `INSERT INTO annotation_labels (text_id, label_id)
         SELECT t.id, l.id
           FROM temp.${this.labelTable} sl
           JOIN temp.${this.table} s ON s.seq = sl.seq
           JOIN texts t ON t.project_id = @projectId AND t.content_hash = s.hash AND t.import_id = @importId
           JOIN labels l ON l.project_id = @projectId AND l.name = sl.name
          WHERE NOT EXISTS (
            SELECT 1 FROM temp.${this.labelTable} x
             WHERE x.seq = sl.seq
               AND x.name NOT IN (SELECT name FROM labels WHERE project_id = @projectId))`,
      )
      .run(p)
    this.db
      .prepare(
        `INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at)
         SELECT t.id, @projectId, @who,
                (SELECT json_group_array(label_id) FROM
                  (SELECT al.label_id FROM annotation_labels al WHERE al.text_id = t.id ORDER BY al.label_id)),
                'import', @now
           FROM texts t
          WHERE t.import_id = @importId AND t.project_id = @projectId
            AND EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id)`,
      )
      .run({ ...p, who, now })
    if (who !== REFERENCE_ANNOTATOR) this.addToHeldTexts(projectId, importId, who, now)
    return { imported }
  }

  /** A named annotator's file labels on texts the project held before this import. */
  private addToHeldTexts(projectId: number, importId: number, who: string, now: string): void {
    const pairs = this.db
      .prepare(
        `SELECT t.id AS textId, l.id AS labelId
           FROM temp.${this.labelTable} sl
           JOIN temp.${this.table} s ON s.seq = sl.seq
           JOIN texts t ON t.project_id = @projectId AND t.content_hash = s.hash
           JOIN labels l ON l.project_id = @projectId AND l.name = sl.name
          WHERE t.import_id IS NOT @importId
            AND NOT EXISTS (SELECT 1 FROM annotator_labels x WHERE x.text_id = t.id AND x.annotator = @who)
            AND NOT EXISTS (
              SELECT 1 FROM temp.${this.labelTable} x
               WHERE x.seq = sl.seq
                 AND x.name NOT IN (SELECT name FROM labels WHERE project_id = @projectId))
          ORDER BY t.id, l.id`,
      )
      .all({ projectId, importId, who }) as { textId: number; labelId: number }[]
    const byText = new Map<number, number[]>()
    for (const r of pairs) byText.set(r.textId, [...(byText.get(r.textId) ?? []), r.labelId])
    for (const [textId, labelIds] of byText) {
      writeAnnotatorRow(this.db, {
        projectId,
        textId,
        annotator: who,
        labelIds,
        origin: 'import',
        at: now,
      })
      resolveText(this.db, projectId, textId)
    }
  }

  drop(): void {
    if (!this.db.open) return
    this.db.exec(
      `DROP TABLE IF EXISTS temp.${this.table}; DROP TABLE IF EXISTS temp.${this.labelTable};`,
    )
  }
}
