// Streams the records of a CSV/TSV file (csv-parse over the decoded text), numbered as the rows a
// spreadsheet shows: quoted newlines stay inside their row, blank lines count as rows.
import { parse, CsvError } from 'csv-parse'
import { Readable } from 'node:stream'
import { CtsError } from '../shared'
import { decodedChunks } from './decode-text'
import { MAX_RECORD_CHARS } from './import-limits'
import type { SourceInput } from './types'

export interface CellRow {
  row: number
  cells: string[]
}

export async function* delimitedRows(
  input: SourceInput,
  encoding: string,
  delimiter: string,
): AsyncGenerator<CellRow> {
  const text = Readable.from(decodedChunks(input, encoding))
  const parser = parse({
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_RECORD_CHARS,
    bom: true,
  })
  text.on('error', (err) => parser.destroy(err))
  text.pipe(parser)
  let row = 0
  try {
    for await (const cells of parser as AsyncIterable<string[]>) yield { row: ++row, cells }
  } catch (err) {
    throw csvFailure(err, row)
  } finally {
    text.destroy()
    parser.destroy()
  }
}

function csvFailure(err: unknown, rowsRead: number): Error {
  if (!(err instanceof CsvError)) return err as Error
  const context = err as CsvError & { records?: number }
  const row = (typeof context.records === 'number' ? context.records : rowsRead) + 1
  if (err.code === 'CSV_QUOTE_NOT_CLOSED' || err.code === 'CSV_MAX_RECORD_SIZE')
    return new CtsError(
      'bad-input',
      `Row ${row}: a quoted cell is never closed (a " is missing), so the rest of the file cannot be read. ` +
        'Fix the quote in the file and import again.',
    )
  return new CtsError('bad-input', `Row ${row} could not be read as CSV: ${err.message}`)
}
