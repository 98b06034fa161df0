// Writes texts out as CSV (UTF-8 with BOM, RFC 4180), XLSX (exceljs streaming writer) or JSONL,
// atomically (temp file in the same folder, then rename), with formula cells escaped.
import ExcelJS from 'exceljs'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { escapeFormula } from './escape-formula'

export { escapeFormula }

export interface ExportRow {
  id: number
  text: string
  labels: string[]
  externalId: string | null
  group: string | null
  split: string | null
}

export type ExportFormat = 'csv' | 'xlsx' | 'jsonl'

/** Column headers of CSV and XLSX exports, in order. */
export const EXPORT_COLUMNS = ['id', 'text', 'labels', 'external_id', 'group', 'split'] as const

/** How several labels share one cell; the importer splits on the same character. */
const LABEL_JOIN = ';'

const UTF8_BOM = '\uFEFF'

/** Writes every row to `outPath` in `format`; the file appears only when complete. */
export async function exportRows(
  format: ExportFormat,
  rows: AsyncIterable<ExportRow> | Iterable<ExportRow>,
  outPath: string,
): Promise<{ rows: number }> {
  const temp = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.${Date.now()}.tmp`)
  try {
    const count =
      format === 'xlsx'
        ? await writeXlsx(rows, temp)
        : await writeText(rows, temp, format === 'csv' ? csvLines : jsonLines)
    await rename(temp, outPath)
    return { rows: count }
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}

function cells(row: ExportRow): string[] {
  return [
    String(row.id),
    row.text,
    row.labels.join(LABEL_JOIN),
    row.externalId ?? '',
    row.group ?? '',
    row.split ?? '',
  ]
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes inside. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

function* csvLines(row: ExportRow | null): Generator<string> {
  if (row === null) {
    yield UTF8_BOM + EXPORT_COLUMNS.join(',') + '\r\n'
    return
  }
  yield (
    cells(row)
      .map((c, i) => csvField(i === 0 ? c : escapeFormula(c)))
      .join(',') + '\r\n'
  )
}

function* jsonLines(row: ExportRow | null): Generator<string> {
  if (row === null) return
  const { id, text, labels, externalId, group, split } = row
  yield JSON.stringify({ id, text, labels, externalId, group, split }) + '\n'
}

/** Text formats: a header (row = null) then one chunk per row, with back-pressure. */
async function writeText(
  rows: AsyncIterable<ExportRow> | Iterable<ExportRow>,
  path: string,
  lines: (row: ExportRow | null) => Iterable<string>,
): Promise<number> {
  const out = createWriteStream(path, { encoding: 'utf8' })
  const failed = once(out, 'error').then(([err]) => Promise.reject(err))
  failed.catch(() => undefined)
  let count = 0
  try {
    for (const line of lines(null)) await write(out, line, failed)
    for await (const row of rows) {
      for (const line of lines(row)) await write(out, line, failed)
      count++
    }
    out.end()
    await Promise.race([once(out, 'finish'), failed])
  } finally {
    out.destroy()
  }
  return count
}

async function write(out: Writable, chunk: string, failed: Promise<unknown>): Promise<void> {
  if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed])
}

async function writeXlsx(
  rows: AsyncIterable<ExportRow> | Iterable<ExportRow>,
  path: string,
): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useStyles: false,
    useSharedStrings: false,
  })
  const sheet = workbook.addWorksheet('Texts')
  sheet.addRow([...EXPORT_COLUMNS]).commit()
  let count = 0
  for await (const row of rows) {
    const [, ...rest] = cells(row)
    sheet.addRow([row.id, ...rest.map(escapeFormula)]).commit()
    count++
  }
  sheet.commit()
  await workbook.commit()
  return count
}
