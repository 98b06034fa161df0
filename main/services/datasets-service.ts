// Importing files into a project (streamed, deduplicated, all or nothing) and reading its texts.
import type { Database } from 'better-sqlite3'
import { CtsError, type FileRef } from '../../preload/contract/common'
import type {
  ColumnMapping,
  ImportPreviewDto,
  ImportResultDto,
  RejectedRowDto,
  SplitCountsDto,
  TextRowDto,
} from '../../preload/contract/datasets'
import type { LabelSetKind } from '../../preload/contract/projects'
import { splitLabels } from '../data/column-mapping'
import type { SourceInput, SourceReader, SourceRecord } from '../data/types'
import { writeAudit } from '../store/audit'
import { contentHash } from '../store/content-hash'
import { ImportStaging, type StagedRow } from '../store/import-staging'
import {
  IMPORT_BATCH_ROWS,
  MAX_LABEL_NAME_LENGTH,
  MAX_LABELS_PER_PROJECT,
  MAX_REJECTED_ROWS_LISTED,
  PROGRESS_INTERVAL_MS,
} from '../store/limits'
import { insertLabel, labelsOf } from '../store/projects-repo'
import { findText, listTexts, nextText, positionOf, type TextFilter } from '../store/texts-repo'
import { publishNowhere, type Publish } from './events'
import type { ProjectsService } from './projects-service'

export interface ImportArgs {
  projectId: number
  file: FileRef
  encoding?: string
  sheet?: string
  mapping: ColumnMapping
  addLabels?: boolean
}

/** A FileRef from the bridge as the importers' input: a path, or decoded bytes. */
export function toSourceInput(file: FileRef): SourceInput {
  if ('path' in file) return { path: file.path }
  return { name: file.name, bytes: new Uint8Array(Buffer.from(file.contentBase64, 'base64')) }
}

function fileNameOf(file: FileRef): string {
  return 'path' in file ? file.path.split(/[\\/]/).pop() || file.path : file.name
}

/** Label names in one label cell: multi-label cells may list several, separated by ; or |. */
export function splitLabelCell(cell: string | undefined, kind: LabelSetKind): string[] {
  const trimmed = (cell ?? '').trim()
  if (!trimmed) return []
  if (kind !== 'multilabel') return [trimmed]
  return [...new Set(splitLabels(trimmed))]
}

let importSeq = 0

export class DatasetsService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectsService,
    private readonly reader: SourceReader,
    private readonly actor: string,
    private readonly publish: Publish = publishNowhere,
  ) {}

  async preview(args: {
    projectId: number
    file: FileRef
    encoding?: string
    sheet?: string
  }): Promise<ImportPreviewDto> {
    const project = this.projects.require(args.projectId)
    // labelsFound must name the labels the import will create: split cells only for multi-label.
    return this.reader.preview(toSourceInput(args.file), {
      encoding: args.encoding,
      sheet: args.sheet,
      splitLabelCells: project.kind === 'multilabel',
    })
  }

  /**
   * Streams the file into staging, then commits everything in one transaction. If the file
   * cannot be read to the end, or anything else fails, the project is left exactly as it was.
   */
  async import(args: ImportArgs): Promise<ImportResultDto> {
    const project = this.projects.require(args.projectId)
    const jobId = `import-${process.pid}-${++importSeq}`
    const progress = throttledProgress(this.publish, jobId)
    const staging = new ImportStaging(this.db)
    try {
      const rejectedRows: RejectedRowDto[] = []
      let rejected = 0
      let duplicates = 0
      let read = 0
      let batch: StagedRow[] = []
      const flush = () => {
        duplicates += staging.addBatch(batch)
        batch = []
      }
      const records = this.reader.records(
        toSourceInput(args.file),
        { encoding: args.encoding, sheet: args.sheet },
        args.mapping,
      )
      for await (const record of records) {
        read += 1
        const staged = stageRecord(record, project.kind)
        if ('reason' in staged) {
          rejected += 1
          if (rejectedRows.length < MAX_REJECTED_ROWS_LISTED) rejectedRows.push(staged)
        } else {
          batch.push(staged)
          if (batch.length >= IMPORT_BATCH_ROWS) flush()
        }
        progress(read, false)
      }
      flush()
      const result = this.commit(args, staging, { duplicates, rejected, rejectedRows })
      progress(read, true, result)
      return result
    } catch (err) {
      progress(0, true, undefined, err)
      throw err
    } finally {
      staging.drop()
    }
  }

  private commit(
    args: ImportArgs,
    staging: ImportStaging,
    counts: { duplicates: number; rejected: number; rejectedRows: RejectedRowDto[] },
  ): ImportResultDto {
    return this.db
      .transaction((): ImportResultDto => {
        // Re-read: the project may have been deleted or changed while the file was read.
        const project = this.projects.require(args.projectId)
        const existing = new Set(labelsOf(this.db, project.id).map((l) => l.name))
        const missing = staging.labelNames().filter((n) => !existing.has(n))
        const labelsAdded = this.labelsToAdd(
          project.kind,
          existing.size,
          missing,
          args.addLabels ?? true,
        )
        for (const name of labelsAdded) insertLabel(this.db, project.id, name)
        const importId = Number(
          this.db
            .prepare(
              `INSERT INTO imports (project_id, file_name, format, encoding, imported, duplicates, rejected, created_at)
               VALUES (?, ?, NULL, ?, 0, 0, ?, ?)`,
            )
            .run(
              project.id,
              fileNameOf(args.file),
              args.encoding ?? null,
              counts.rejected,
              new Date().toISOString(),
            ).lastInsertRowid,
        )
        const staged = staging.stagedCount()
        const { imported } = staging.commitInto(project.id, importId)
        const duplicates = counts.duplicates + (staged - imported)
        this.db
          .prepare('UPDATE imports SET imported = ?, duplicates = ? WHERE id = ?')
          .run(imported, duplicates, importId)
        const result: ImportResultDto = {
          imported,
          duplicates,
          rejected: counts.rejected,
          rejectedRows: counts.rejectedRows,
          labelsAdded,
          labelsUnknown: missing.filter((n) => !labelsAdded.includes(n)),
        }
        writeAudit(this.db, this.actor, 'import', project.id, {
          importId,
          fileName: fileNameOf(args.file),
          imported,
          duplicates,
          rejected: counts.rejected,
          labelsAdded,
        })
        return result
      })
      .immediate()
  }

  /**
   * Labels from the file that join the label set: all of them when asked to add, except that a
   * binary project keeps its two labels (the rest are reported as unknown).
   */
  private labelsToAdd(
    kind: LabelSetKind,
    have: number,
    missing: string[],
    addLabels: boolean,
  ): string[] {
    if (!addLabels || missing.length === 0) return []
    if (kind === 'binary') return have + missing.length <= 2 ? missing : []
    if (have + missing.length > MAX_LABELS_PER_PROJECT) {
      throw new CtsError(
        'bad-input',
        `The label column holds ${missing.length} new label names; a project can have at most ${MAX_LABELS_PER_PROJECT} labels. Is the label column the right one?`,
      )
    }
    return missing
  }

  listTexts(args: { projectId: number; offset: number; limit: number } & TextFilter): {
    total: number
    rows: TextRowDto[]
  } {
    this.projects.require(args.projectId)
    const filter = { search: args.search, labelId: args.labelId, unlabelled: args.unlabelled }
    return listTexts(this.db, args.projectId, filter, args.offset, args.limit)
  }

  getText(textId: number): TextRowDto {
    const found = findText(this.db, textId)
    if (!found) throw new CtsError('not-found', `Text ${textId} does not exist.`)
    const { projectId: _projectId, ...dto } = found
    return dto
  }

  /** Labelled texts per imported split: what training's 'explicit' split would train and test on. */
  splitCounts(projectId: number): SplitCountsDto {
    this.projects.require(projectId)
    const rows = this.db
      .prepare(
        `SELECT t.split AS split, COUNT(*) AS n FROM texts t
          WHERE t.project_id = ? AND EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id)
          GROUP BY t.split`,
      )
      .all(projectId) as { split: string | null; n: number }[]
    const counts: SplitCountsDto = { train: 0, dev: 0, test: 0, none: 0 }
    for (const r of rows) counts[(r.split ?? 'none') as keyof SplitCountsDto] = r.n
    return counts
  }

  /** The next text to label (see nextText) with its 1-based position among all texts. */
  next(args: { projectId: number; afterTextId?: number; unlabelledOnly?: boolean }): {
    textId: number | null
    position: number
    total: number
  } {
    this.projects.require(args.projectId)
    const textId = nextText(
      this.db,
      args.projectId,
      args.afterTextId ?? 0,
      args.unlabelledOnly ?? false,
    )
    const total = (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM texts WHERE project_id = ?')
        .get(args.projectId) as { n: number }
    ).n
    return {
      textId,
      position: textId === null ? 0 : positionOf(this.db, args.projectId, textId),
      total,
    }
  }
}

/** Turns one record into a staged row, or a rejection with a reason the user can act on. */
function stageRecord(record: SourceRecord, kind: LabelSetKind): StagedRow | RejectedRowDto {
  if ('error' in record) return { row: record.row, reason: record.error }
  const text = record.text.trim()
  if (!text) return { row: record.row, reason: `Row ${record.row}: the text is empty.` }
  const labels = splitLabelCell(record.label, kind)
  const tooLong = labels.find((l) => l.length > MAX_LABEL_NAME_LENGTH)
  if (tooLong !== undefined) {
    throw new CtsError(
      'bad-input',
      `Row ${record.row}: the label is longer than ${MAX_LABEL_NAME_LENGTH} characters. Is the label column the right one?`,
    )
  }
  return {
    row: record.row,
    text,
    hash: contentHash(text),
    externalId: emptyToNull(record.externalId),
    groupId: emptyToNull(record.group),
    split: record.split ?? null,
    labels,
  }
}

function emptyToNull(value: string | undefined): string | null {
  const v = value?.trim()
  return v ? v : null
}

/** Import progress as 'jobs/progress' events, at most one per PROGRESS_INTERVAL_MS. */
function throttledProgress(publish: Publish, jobId: string) {
  let last = 0
  return (step: number, done: boolean, result?: ImportResultDto, err?: unknown) => {
    const now = Date.now()
    if (!done && now - last < PROGRESS_INTERVAL_MS) return
    last = now
    if (!done) {
      publish('jobs/progress', { jobId, kind: 'import', status: 'running', phase: 'reading', step })
    } else if (err === undefined) {
      publish('jobs/progress', {
        jobId,
        kind: 'import',
        status: 'success',
        phase: 'done',
        step,
        result,
      })
    } else {
      const e = err instanceof CtsError ? err : new CtsError('internal', 'The import failed.')
      publish('jobs/progress', {
        jobId,
        kind: 'import',
        status: 'error',
        phase: 'failed',
        error: { code: e.code, message: e.message },
      })
    }
  }
}
