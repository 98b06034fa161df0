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
import type { DeidOptions } from '../../preload/contract/deid'
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
import { assignment, projectAssignment } from './annotation-assignment'
import { refreshAssignments } from './annotators-service'
import { DeidMasker } from './deid-masker'
import type { ProjectsService } from './projects-service'

export interface ImportArgs {
  projectId: number
  file: FileRef
  encoding?: string
  sheet?: string
  mapping: ColumnMapping
  addLabels?: boolean
  /** The file's labels become this annotator's (default: reference labels, made by nobody named). */
  annotator?: string
  /** Mask PHI before anything is stored (issue #15): stored text, hash and duplicates are masked. */
  deidentify?: DeidOptions
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
    private readonly repos: Pick<Repositories, 'annotators' | 'imports' | 'projects' | 'texts'>,
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
    // Options are checked before the job starts: a bad pattern changes nothing.
    const masker = args.deidentify ? new DeidMasker(args.deidentify) : undefined
    return this.jobs.run('import', (ctx) => this.importRows(args, project.kind, ctx, masker))
      .outcome
  }

  /** The 'import' job's work; a cancel stops it before the commit, so nothing is changed. */
  private async importRows(
    args: ImportArgs,
    kind: LabelSetKind,
    ctx: JobContext<'import'>,
    masker?: DeidMasker,
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
        const staged = stageRecord(record, kind, masker)
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
      return await this.commit(args, staging, { duplicates, rejected, rejectedRows }, masker)
    } finally {
      await staging.drop()
    }
  }

  private async commit(
    args: ImportArgs,
    staging: ImportStage,
    counts: { duplicates: number; rejected: number; rejectedRows: RejectedRowDto[] },
    masker?: DeidMasker,
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
        ...(args.annotator !== undefined ? { annotator: args.annotator.trim() } : {}),
        ...(masker ? { deid: deidAuditDetails(masker) } : {}),
      })
      if (done === 'changed') continue
      // New texts join the team's shares (even none new: an import again repairs the rows).
      await refreshAssignments(this.repos, project.id)
      return {
        imported: done.imported,
        duplicates: done.duplicates,
        rejected: counts.rejected,
        rejectedRows: counts.rejectedRows,
        labelsAdded,
        labelsUnknown: missing.filter((n) => !labelsAdded.includes(n)),
        ...(masker
          ? {
              deid: {
                texts: masker.texts,
                textsWithPhi: masker.textsWithPhi,
                counts: masker.counts,
              },
            }
          : {}),
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

  /**
   * A page of the project's texts. With `annotator`, each row's labels are as that annotator sees
   * them (seenBy), and the label / unlabelled filters select on those same labels (a blinded text
   * never matches on another annotator's label).
   */
  async listTexts(
    args: { projectId: number; offset: number; limit: number; annotator?: string } & Omit<
      TextFilter,
      'seenBy'
    >,
  ): Promise<{
    total: number
    rows: TextRowDto[]
  }> {
    await this.projects.require(args.projectId)
    const filter: TextFilter = {
      search: args.search,
      labelId: args.labelId,
      unlabelled: args.unlabelled,
    }
    if (args.annotator !== undefined && (args.labelId !== undefined || args.unlabelled)) {
      filter.seenBy = {
        annotator: args.annotator.trim(),
        blindedIds: await this.blindedIds(args.projectId),
      }
    }
    const page = await this.repos.texts.list(args.projectId, filter, args.offset, args.limit)
    if (args.annotator === undefined) return page
    return { total: page.total, rows: await this.seenBy(args.projectId, args.annotator, page.rows) }
  }

  async getText(textId: number, annotator?: string): Promise<TextRowDto> {
    const found = await this.repos.texts.find(textId)
    if (!found) throw new CtsError('not-found', `Text ${textId} does not exist.`)
    const { projectId, ...dto } = found
    if (annotator === undefined) return dto
    return (await this.seenBy(projectId, annotator, [dto]))[0]!
  }

  /**
   * The rows as `annotator` sees them. Their own labels where they have a row (own: true), else
   * the gold labels (own: false). In a project with a team, double-annotated texts are blinded
   * while the project blinds: only their own labels, [] before they label (blinded: true).
   */
  private async seenBy(
    projectId: number,
    annotator: string,
    rows: TextRowDto[],
  ): Promise<TextRowDto[]> {
    const name = annotator.trim()
    const settings = await this.repos.annotators.settings(projectId)
    const own = await this.repos.annotators.ownLabels(
      projectId,
      name,
      rows.map((r) => r.id),
    )
    const team = settings.team.length > 0
    const hashes =
      team && settings.blind
        ? new Map(
            // Only the page's texts: a page of 100 must not read the hashes of 100,000.
            (
              await this.repos.annotators.textHashes(
                projectId,
                rows.map((r) => r.id),
              )
            ).map((t) => [t.id, t.contentHash]),
          )
        : null
    return rows.map((row) => {
      const mine = own.get(row.id)
      const hash = hashes?.get(row.id)
      if (hash !== undefined && assignment(hash, settings).overlap) {
        return { ...row, labelIds: mine ?? [], own: true, blinded: true }
      }
      const seen: TextRowDto = mine ? { ...row, labelIds: mine, own: true } : { ...row, own: false }
      return team ? { ...seen, blinded: false } : seen
    })
  }

  /** The project's double-annotated texts while it blinds (none without a team). */
  private async blindedIds(projectId: number): Promise<number[]> {
    const settings = await this.repos.annotators.settings(projectId)
    if (settings.team.length === 0 || !settings.blind) return []
    const texts = await this.repos.annotators.textHashes(projectId)
    const assigned = projectAssignment(texts, settings)
    return texts.filter((t) => assigned.get(t.id)!.overlap).map((t) => t.id)
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

/** The 'deid.import' audit entry's details: counts and settings, never a pattern's match. */
function deidAuditDetails(masker: DeidMasker): Record<string, unknown> {
  const o = masker.options
  return {
    texts: masker.texts,
    textsWithPhi: masker.textsWithPhi,
    counts: masker.counts,
    ...(o.types ? { types: o.types } : {}),
    keepYear: o.keepYear ?? false,
    mrnPatterns: o.mrnPatterns?.length ?? 0,
    insurancePatterns: o.insurancePatterns?.length ?? 0,
  }
}

/**
 * Turns one record into a staged row, or a rejection with a reason the user can act on. With a
 * masker, the text is de-identified first, so the hash (and duplicate detection) is of the masked
 * text: two notes that differ only in a phone number become duplicates.
 */
function stageRecord(
  record: SourceRecord,
  kind: LabelSetKind,
  masker?: DeidMasker,
): StagedRow | RejectedRowDto {
  if ('error' in record) return { row: record.row, reason: record.error }
  const trimmed = record.text.trim()
  if (!trimmed) return { row: record.row, reason: `Row ${record.row}: the text is empty.` }
  const text = masker ? masker.mask(trimmed) : trimmed
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
