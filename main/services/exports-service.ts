// Exporting a project's texts with their labels (CSV, XLSX, JSONL) through main/data's writers.
// Rows are read a page at a time, so labelling can continue while a large export is written.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { CtsError } from '../shared'
import type { ExportFormat, ExportRow, exportRows } from '../data/exporters'
import type { ExportsResults } from '../../preload/contract/exports'
import type { DeidOptions } from '../../preload/contract/deid'
import { EXPORT_PAGE_ROWS } from '../store/limits'
import type { Repositories } from '../store/repositories'
import type { ProjectsService } from './projects-service'
import { DeidMasker } from './deid-masker'

export type { ExportFormat, ExportRow }

/** The file writer main/data provides (main/data/exporters.ts `exportRows`), injected. */
export type ExportRowsFn = typeof exportRows

/** A file name safe on every desktop OS, from the project name. */
export function exportFileName(projectName: string, format: ExportFormat): string {
  // eslint-disable-next-line no-control-regex
  const safe = projectName.replace(/[<>:"/\\|?*\u0000-\u001f]/g, '_').trim() || 'project'
  return `${safe}-texts.${format}`
}

export class ExportsService {
  constructor(
    private readonly repos: Pick<Repositories, 'texts' | 'audit'>,
    private readonly projects: ProjectsService,
    private readonly exportRows: ExportRowsFn,
    private readonly actor: string,
  ) {}

  /** Rows of the project in id order, read page by page (keyset pagination on id). */
  async *rows(projectId: number): AsyncGenerator<ExportRow> {
    let after = 0
    for (;;) {
      const rows = await this.repos.texts.exportPage(projectId, after, EXPORT_PAGE_ROWS)
      yield* rows
      if (rows.length < EXPORT_PAGE_ROWS) return
      after = rows[rows.length - 1].id
    }
  }

  /** The rows with text, own id and group masked (issue #15): the file never holds raw PHI. */
  private async *maskedRows(projectId: number, masker?: DeidMasker): AsyncGenerator<ExportRow> {
    if (!masker) return yield* this.rows(projectId)
    const orNull = (v: string | null) => (v === null ? null : masker.mask(v))
    for await (const row of this.rows(projectId)) {
      yield {
        ...row,
        text: masker.mask(row.text),
        externalId: orNull(row.externalId),
        group: orNull(row.group),
      }
    }
  }

  private async toBytes(rowsOf: AsyncGenerator<ExportRow>, format: ExportFormat, fileName: string) {
    const dir = await mkdtemp(join(tmpdir(), 'cts-export-'))
    try {
      const out = join(dir, fileName)
      const { rows } = await this.exportRows(format, rowsOf, out)
      return { rows, fileName, contentBase64: (await readFile(out)).toString('base64') }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  /** Writes to `path` (desktop), or returns the bytes when no path is given (browser). */
  async texts(args: {
    projectId: number
    format: ExportFormat
    path?: string
    deidentify?: DeidOptions
  }): Promise<ExportsResults['exports/texts']> {
    const project = await this.projects.require(args.projectId)
    // Checked before anything is written: a bad pattern leaves no file behind.
    const masker = args.deidentify ? new DeidMasker(args.deidentify) : undefined
    const fileName = args.path ? basename(args.path) : exportFileName(project.name, args.format)
    let result: ExportsResults['exports/texts']
    try {
      if (args.path) {
        const rowsOf = this.maskedRows(project.id, masker)
        const { rows } = await this.exportRows(args.format, rowsOf, args.path)
        result = { rows, path: args.path, fileName }
      } else {
        result = await this.toBytes(this.maskedRows(project.id, masker), args.format, fileName)
      }
    } catch (err) {
      // File-system failures become a message the user can act on; anything else is a bug.
      const code = (err as NodeJS.ErrnoException).code
      if (err instanceof CtsError || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw err
      throw new CtsError(
        'bad-input',
        `The export file ${fileName} could not be written (${code}). Check that the folder exists and you may write to it.`,
      )
    }
    await this.repos.audit.write(this.actor, 'export', project.id, {
      format: args.format,
      rows: result.rows,
      fileName,
      ...(masker ? { deidentified: true, deidCounts: masker.counts } : {}),
    })
    return result
  }
}
