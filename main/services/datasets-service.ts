// Importing files into a project (streamed, deduplicated, all or nothing) and reading its texts.
import { CtsError } from '../shared'
import type { FileRef } from '../../preload/contract/common'
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
import { contentHash } from '../store/content-hash'
import type { ImportStage, StagedRow } from '../store/imports-repository'
import {
  IMPORT_BATCH_ROWS,
  MAX_LABEL_NAME_LENGTH,
  MAX_LABELS_PER_PROJECT,
  MAX_REJECTED_ROWS_LISTED,
} from '../store/limits'
import type { Repositories } from '../store/repositories'
import type { TextFilter } from '../store/texts-repository'
import type { JobService } from '../jobs/job-service'
import type { JobContext } from '../jobs/job-protocol'
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

export class DatasetsService {
  constructor(
    private readonly repos: Pick<Repositories, 'imports' | 'projects' | 'texts'>,
    private readonly projects: ProjectsService,
    private readonly reader: SourceReader,
    private readonly actor: string,
    /** Imports run as its in-process 'import' jobs (listed, cancellable, progress throttled). */
    private readonly jobs: Pick<JobService, 'run'>,
  ) {}

  async preview(args: {
    projectId: number
    file: FileRef
    encoding?: string
    sheet?: string
  }): Promise<ImportPreviewDto> {
    const project = await this.projects.require(args.projectId)
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
    const project = await this.projects.require(args.projectId)
    return this.jobs.run('import', (ctx) => this.importRows(args, project.kind, ctx)).outcome
  }

  /** The 'import' job's work; a cancel stops it before the commit, so nothing is changed. */
  private async importRows(
    args: ImportArgs,
    kind: LabelSetKind,
    ctx: JobContext<'import'>,
  ): Promise<ImportResultDto> {
    const stopIfCancelled = () => {
      if (ctx.signal.aborted) {
        throw new CtsError('cancelled', 'The import was cancelled; the project is unchanged.')
      }
    }
    const staging = await this.repos.imports.stage()
    try {
      const rejectedRows: RejectedRowDto[] = []
      let rejected = 0
      let duplicates = 0
      let read = 0
      let batch: StagedRow[] = []
      const flush = async () => {
        const rows = batch
        batch = []
        duplicates += await staging.addBatch(rows)
      }
      const records = this.reader.records(
        toSourceInput(args.file),
        { encoding: args.encoding, sheet: args.sheet },
        args.mapping,
      )
      for await (const record of records) {
        stopIfCancelled()
        read += 1
        const staged = stageRecord(record, kind)
        if ('reason' in staged) {
          rejected += 1
          if (rejectedRows.length < MAX_REJECTED_ROWS_LISTED) rejectedRows.push(staged)
        } else {
          batch.push(staged)
          if (batch.length >= IMPORT_BATCH_ROWS) await flush()
        }
        ctx.report({ phase: 'reading', step: read })
      }
      await flush()
      stopIfCancelled()
      return await this.commit(args, staging, { duplicates, rejected, rejectedRows })
    } finally {
      await staging.drop()
    }
  }

  private async commit(
    args: ImportArgs,
    staging: ImportStage,
    counts: { duplicates: number; rejected: number; rejectedRows: RejectedRowDto[] },
  ): Promise<ImportResultDto> {
    const names = await staging.labelNames()
    // Re-read: the project may have been deleted or changed while the file was read. The
    // repository commits only if the label set is still the one read here, else we re-decide.
    for (;;) {
      const project = await this.projects.require(args.projectId)
      const existing = new Set((await this.repos.projects.labels(project.id)).map((l) => l.name))
      const missing = names.filter((n) => !existing.has(n))
      const labelsAdded = this.labelsToAdd(
        project.kind,
        existing.size,
        missing,
        args.addLabels ?? true,
      )
      const done = await staging.commit({
        projectId: project.id,
        expectedLabelCount: existing.size,
        labelsToAdd: labelsAdded,
        fileName: fileNameOf(args.file),
        encoding: args.encoding ?? null,
        duplicates: counts.duplicates,
        rejected: counts.rejected,
        actor: this.actor,
      })
      if (done === 'changed') continue
      return {
        imported: done.imported,
        duplicates: done.duplicates,
        rejected: counts.rejected,
        rejectedRows: counts.rejectedRows,
        labelsAdded,
        labelsUnknown: missing.filter((n) => !labelsAdded.includes(n)),
      }
    }
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

  async listTexts(
    args: { projectId: number; offset: number; limit: number } & TextFilter,
  ): Promise<{
    total: number
    rows: TextRowDto[]
  }> {
    await this.projects.require(args.projectId)
    const filter = { search: args.search, labelId: args.labelId, unlabelled: args.unlabelled }
    return this.repos.texts.list(args.projectId, filter, args.offset, args.limit)
  }

  async getText(textId: number): Promise<TextRowDto> {
    const found = await this.repos.texts.find(textId)
    if (!found) throw new CtsError('not-found', `Text ${textId} does not exist.`)
    const { projectId: _projectId, ...dto } = found
    return dto
  }

  /** Labelled texts per imported split: what training's 'explicit' split would train and test on. */
  async splitCounts(projectId: number): Promise<SplitCountsDto> {
    await this.projects.require(projectId)
    return this.repos.texts.splitCounts(projectId)
  }

  /** The next text to label (see TextsRepository.next) with its 1-based position among all texts. */
  async next(args: { projectId: number; afterTextId?: number; unlabelledOnly?: boolean }): Promise<{
    textId: number | null
    position: number
    total: number
  }> {
    await this.projects.require(args.projectId)
    const textId = await this.repos.texts.next(
      args.projectId,
      args.afterTextId ?? 0,
      args.unlabelledOnly ?? false,
    )
    const total = await this.repos.texts.count(args.projectId)
    return {
      textId,
      position: textId === null ? 0 : await this.repos.texts.positionOf(args.projectId, textId),
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
