// Streams the rows of one sheet of an XLSX workbook (exceljs WorkbookReader) as displayed text,
// and turns a truncated or corrupt workbook into one clear error.
import ExcelJS from 'exceljs'
import { CtsError } from '../shared'
import { fileError, openStream, readRange, sourceSize } from './byte-source'
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
}
interface StreamedSheet extends AsyncIterable<ExcelJS.Row> {
  name: string
  iterator?: { destroy?: () => void }
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
  await assertZipComplete(input)
  const bytes = openStream(input)
  let failure: unknown = null
  bytes.on('error', (err) => (failure = err))
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(bytes, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  })
  // Iterated by hand so that stopping early can still walk the remaining sheets: exceljs buffers
  // sheets that precede the shared strings in temp files (patient text) and deletes each one only
  // when its turn comes.
  const sheets = reader[Symbol.asyncIterator]()
  let found: string | null = null
  let seen: string[] = []
  let finished = false
  try {
    for (let next = await sheets.next(); !next.done; next = await sheets.next()) {
      const sheet = next.value as unknown as StreamedSheet
      const model = (reader as unknown as { model?: { sheets?: SheetModel[] } }).model?.sheets ?? []
      seen = model.length ? model.map((s) => s.name) : [...seen, sheet.name]
      const target =
        wanted ?? (model.find((s) => s.state !== 'hidden') ?? model[0])?.name ?? sheet.name
      if (found !== null || sheet.name !== target) {
        skipSheet(sheet)
        continue
      }
      found = sheet.name
      onSheet({ sheets: seen, sheet: sheet.name })
      try {
        for await (const row of sheet) yield { row: row.number, cells: rowCells(row) }
      } finally {
        skipSheet(sheet)
      }
    }
    finished = true
  } catch (err) {
    finished = true
    if (failure) throw fileError(input, failure)
    if (err instanceof CtsError) throw err
    throw damaged()
  } finally {
    if (!finished) await drain(sheets)
    bytes.destroy()
  }
  if (failure) throw fileError(input, failure)
  if (found === null) {
    if (wanted === undefined) throw new CtsError('bad-input', 'This Excel file has no sheets.')
    throw new CtsError(
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
}

/** The reader stopped early: let exceljs reach each remaining sheet so it removes its temp file. */
async function drain(sheets: AsyncIterator<unknown>): Promise<void> {
  try {
    for (let next = await sheets.next(); !next.done; next = await sheets.next())
      skipSheet(next.value as StreamedSheet)
  } catch {
    // The caller has stopped reading; a failure past this point changes nothing for it.
  }
}

/** A sheet we do not read: close its buffered temp stream so exceljs can move on and clean up. */
function skipSheet(sheet: StreamedSheet): void {
  sheet.iterator?.destroy?.()
}

/** A zip ends with an end-of-central-directory record; a cut-off download does not. */
async function assertZipComplete(input: SourceInput): Promise<void> {
  const size = await sourceSize(input)
  const tailLength = Math.min(size, 65_557)
  const tail = await readRange(input, size - tailLength, tailLength)
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06)
      return
  }
  throw damaged()
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
