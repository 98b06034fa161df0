// Streams the rows of one sheet of an XLSX workbook as displayed text (exceljs's sheet reader over
// the zip's central directory), and turns a truncated or corrupt workbook into one clear error.
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { readFile } from 'node:fs/promises'
import { PassThrough, Readable } from 'node:stream'
import { CtsError } from '../shared'
import { fileError } from './byte-source'
import type { CellRow } from './read-delimited'
import type { SourceInput } from './types'

export interface SheetChoice {
  /** Every sheet in workbook order (known once the chosen sheet starts). */
  sheets: string[]
  sheet: string
}

interface SheetModel {
  name: string
  state?: string
  rId?: string
}
interface Relationship {
  Id: string
  Target: string
}
interface StreamedSheet extends AsyncIterable<ExcelJS.Row> {
  name: string
}
/**
 * The parts of exceljs's streaming WorkbookReader we drive ourselves. Its own `parse()` reads the
 * zip in one streaming pass (unzipper) that drops the last entries when the reader falls behind
 * (exceljs issue #3064: `xl/workbook.xml`, stored last, goes missing and reading fails), and
 * buffers sheets stored before the shared strings in temp files (patient text on disk). We open the
 * zip by its central directory instead and hand exceljs each part in the order it needs.
 */
interface WorkbookParts {
  model?: { sheets?: SheetModel[] }
  workbookRels?: Relationship[]
  _parseRels(entry: Readable): Promise<void>
  _parseWorkbook(entry: Readable): Promise<void>
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>
  _parseStyles(entry: Readable): Promise<void>
  _parseWorksheet(
    chunks: AsyncIterable<unknown>,
    sheetNo: string,
  ): Generator<{ eventType: string; value: StreamedSheet }>
}

export function damaged(): CtsError {
  return new CtsError(
    'bad-input',
    'This Excel file is damaged or incomplete (it may not have finished copying or downloading). ' +
      'Open it in Excel, save it again as .xlsx, and import the new file.',
  )
}

/**
 * Rows of the chosen sheet (first visible sheet by default), numbered as Excel numbers them.
 * `onSheet` is told the sheet list and the chosen sheet before the first row.
 */
export async function* xlsxRows(
  input: SourceInput,
  wanted: string | undefined,
  onSheet: (choice: SheetChoice) => void,
): AsyncGenerator<CellRow> {
  const zip = await openWorkbookZip(input)
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as WorkbookParts
  let sheet: StreamedSheet
  let sheets: string[]
  try {
    await reader._parseRels(part(zip, 'xl/_rels/workbook.xml.rels', true))
    await reader._parseWorkbook(part(zip, 'xl/workbook.xml', true))
    const strings = part(zip, 'xl/sharedStrings.xml', false)
    if (strings) for await (const _ of reader._parseSharedStrings(strings));
    const styles = part(zip, 'xl/styles.xml', false)
    if (styles) await reader._parseStyles(styles)
    const model = reader.model?.sheets ?? []
    sheets = model.map((s) => s.name)
    const chosen =
      wanted === undefined
        ? (model.find((s) => (s.state ?? 'visible') === 'visible') ?? model[0])
        : model.find((s) => s.name === wanted)
    if (!chosen) throw missingSheet(wanted, sheets)
    sheet = openSheet(zip, reader, chosen)
  } catch (err) {
    throw readError(input, err)
  }
  onSheet({ sheets, sheet: sheet.name })
  try {
    for await (const row of sheet) yield { row: row.number, cells: rowCells(row) }
  } catch (err) {
    throw readError(input, err)
  }
}

async function openWorkbookZip(input: SourceInput): Promise<JSZip> {
  const bytes = 'path' in input ? await readWhole(input) : input.bytes
  try {
    return await JSZip.loadAsync(bytes, { checkCRC32: false })
  } catch {
    throw damaged()
  }
}

async function readWhole(input: SourceInput & { path: string }): Promise<Buffer> {
  try {
    return await readFile(input.path)
  } catch (err) {
    throw fileError(input, err)
  }
}

/** One part of the package as a stream (inflated as it is read), or null when it is absent. */
function part(zip: JSZip, name: string, required: true): Readable
function part(zip: JSZip, name: string, required: false): Readable | null
function part(zip: JSZip, name: string, required: boolean): Readable | null {
  const file = zip.file(name)
  if (!file) {
    if (required) throw damaged()
    return null
  }
  // JSZip's stream is an old-style readable; a PassThrough gives exceljs a modern one.
  const out = new PassThrough()
  file
    .nodeStream('nodebuffer')
    .on('error', (err: Error) => out.destroy(err))
    .pipe(out)
  return out
}

function openSheet(zip: JSZip, reader: WorkbookParts, chosen: SheetModel): StreamedSheet {
  const rel = reader.workbookRels?.find((r) => r.Id === chosen.rId)
  if (!rel) throw damaged()
  // Targets are relative to xl/ ("worksheets/sheet1.xml") or absolute ("/xl/worksheets/…").
  const path = rel.Target.startsWith('/') ? rel.Target.slice(1) : `xl/${rel.Target}`
  const sheetNo = /sheet(\d+)\.xml$/.exec(path)?.[1] ?? '0'
  const events = [...reader._parseWorksheet(part(zip, path, true), sheetNo)]
  const sheet = events.find((e) => e.eventType === 'worksheet')?.value
  if (!sheet) throw damaged()
  sheet.name = chosen.name
  return sheet
}

function missingSheet(wanted: string | undefined, seen: string[]): CtsError {
  if (wanted === undefined) return new CtsError('bad-input', 'This Excel file has no sheets.')
  return new CtsError(
    'bad-input',
    `There is no sheet named "${wanted}" in this file. Sheets: ${seen.join(', ')}.`,
    // Which argument: a transport names its own field (the CLI: --sheet).
    {
      issues: [
        {
          path: ['sheet'],
          message: `must be one of the file's sheets (${seen.join(', ')}); there is no sheet "${wanted}".`,
          fromSchema: false,
        },
      ],
    },
  )
}

/** Our own errors pass through; a file-system failure is named; anything else is damage. */
function readError(input: SourceInput, err: unknown): Error {
  if (err instanceof CtsError) return err
  if ((err as NodeJS.ErrnoException | undefined)?.code?.startsWith('E'))
    return fileError(input, err)
  return damaged()
}

function rowCells(row: ExcelJS.Row): string[] {
  const cells: string[] = []
  const count = row.cellCount
  for (let c = 1; c <= count; c++) {
    const cell = row.getCell(c)
    cells.push(valueText(cell.value, cell.numFmt))
  }
  return cells
}

/** The text Excel displays for a cell value: numbers, dates, rich text, formula results, errors. */
export function valueText(value: unknown, numFmt?: string): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (typeof value === 'number')
    return isDateFormat(numFmt) ? dateText(serialToDate(value)) : numberText(value, numFmt)
  if (value instanceof Date) return dateText(value)
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>
    if (Array.isArray(v.richText))
      return v.richText.map((run: { text?: string }) => run.text ?? '').join('')
    if ('formula' in v || 'sharedFormula' in v) return valueText(v.result, numFmt)
    if (typeof v.error === 'string') return v.error
    if ('text' in v) return valueText(v.text, numFmt)
  }
  return String(value)
}

function numberText(value: number, numFmt?: string): string {
  const plain = (n: number) => String(Number(n.toPrecision(15)))
  if (numFmt && /%/.test(stripLiterals(numFmt))) return `${plain(value * 100)}%`
  return plain(value)
}

function isDateFormat(numFmt?: string): boolean {
  if (!numFmt) return false
  return /[ymdhs]/i.test(stripLiterals(numFmt).replace(/General/gi, ''))
}

function stripLiterals(format: string): string {
  return format
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '')
}

/** Excel serial day (1900 system) to a UTC date. */
function serialToDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86_400_000))
}

/** YYYY-MM-DD, with HH:MM(:SS) only when the cell holds a time of day. */
function dateText(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  const h = d.getUTCHours()
  const m = d.getUTCMinutes()
  const s = d.getUTCSeconds()
  if (h === 0 && m === 0 && s === 0) return day
  return `${day} ${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}`
}
