// The importers' front door (SourceReader): preview a file for column mapping, then stream its
// mapped records with bounded memory. Every format is read as tabular rows or keyed rows.
import type { ColumnMapping, ImportPreviewDto } from '../../preload/contract'
import { CtsError } from '../shared'
import {
  labelsIn,
  normaliseText,
  parseSplit,
  suggestMapping,
  uniqueColumns,
} from './column-mapping'
import { decodedChunks } from './decode-text'
import { inspect, type Inspection } from './detect-format'
import { LABEL_SCAN_ROWS, PREVIEW_ROWS } from './import-limits'
import { delimitedRows, type CellRow } from './read-delimited'
import { jsonArrayRows, jsonlRows, TEXT_FIELD, txtRows, type KeyedRow } from './read-json'
import { xlsxRows, type SheetChoice } from './read-xlsx'
import type { MappedRecord, SourceInput, SourceOptions, SourceReader, SourceRecord } from './types'

type Opened =
  | { kind: 'table'; rows: AsyncGenerator<CellRow>; sheetChoice: () => SheetChoice | null }
  | { kind: 'keyed'; rows: AsyncGenerator<KeyedRow>; unit: 'Line' | 'Item' }

function openRows(input: SourceInput, options: SourceOptions, found: Inspection): Opened {
  if (found.format === 'xlsx') {
    let choice: SheetChoice | null = null
    const rows = xlsxRows(input, options.sheet, (c) => (choice = c))
    return { kind: 'table', rows, sheetChoice: () => choice }
  }
  if (found.format === 'csv' || found.format === 'tsv')
    return {
      kind: 'table',
      rows: delimitedRows(input, found.encoding, found.delimiter ?? ','),
      sheetChoice: () => null,
    }
  const chunks = decodedChunks(input, found.encoding)
  if (found.format === 'json') return { kind: 'keyed', rows: jsonArrayRows(chunks), unit: 'Item' }
  if (found.format === 'jsonl') return { kind: 'keyed', rows: jsonlRows(chunks), unit: 'Line' }
  return { kind: 'keyed', rows: txtRows(chunks), unit: 'Line' }
}

const isBlank = (cells: string[]) => cells.every((c) => !c.trim())

/** Cells padded or cut to the header's width, for display. */
const fit = (cells: string[], width: number) =>
  Array.from({ length: width }, (_, i) => cells[i] ?? '')

async function preview(input: SourceInput, options: SourceOptions): Promise<ImportPreviewDto> {
  const found = await inspect(input, options)
  const opened = openRows(input, options, found)
  let columns: string[] = []
  const scanned: string[][] = []
  if (opened.kind === 'table') {
    let header: string[] | null = null
    for await (const { cells } of opened.rows) {
      if (isBlank(cells)) continue
      if (!header) header = columns = uniqueColumns(cells)
      else scanned.push(fit(cells, header.length))
      if (scanned.length >= LABEL_SCAN_ROWS) break
    }
    if (!header) throw new CtsError('bad-input', 'This file has no rows to import.')
  } else {
    const seen: Record<string, string>[] = []
    const keys = new Set<string>(found.format === 'txt' ? [TEXT_FIELD] : [])
    for await (const item of opened.rows) {
      if ('error' in item) continue
      seen.push(item.values)
      for (const k of Object.keys(item.values)) keys.add(k)
      if (seen.length >= LABEL_SCAN_ROWS) break
    }
    columns = keys.size ? [...keys] : [TEXT_FIELD]
    for (const values of seen) scanned.push(columns.map((c) => values[c] ?? ''))
  }
  const rows = scanned.slice(0, PREVIEW_ROWS)
  const suggestedMapping = suggestMapping(columns, rows)
  const labelIndex = suggestedMapping.label ? columns.indexOf(suggestedMapping.label) : -1
  const labelsFound =
    labelIndex < 0
      ? []
      : labelsIn(
          scanned.map((r) => r[labelIndex]),
          options.splitLabelCells ?? true,
        )
  const choice = opened.kind === 'table' ? opened.sheetChoice() : null
  return {
    format: found.format,
    encoding: found.encoding,
    detectedEncoding: found.detectedEncoding,
    ...(found.delimiter ? { delimiter: found.delimiter } : {}),
    ...(choice ? { sheets: choice.sheets, sheet: choice.sheet } : {}),
    columns,
    rows,
    suggestedMapping,
    labelsFound,
  }
}

async function* records(
  input: SourceInput,
  options: SourceOptions,
  mapping: ColumnMapping,
): AsyncGenerator<SourceRecord> {
  const found = await inspect(input, options)
  const opened = openRows(input, options, found)
  if (opened.kind === 'keyed') {
    if (found.format === 'txt') columnIndex([TEXT_FIELD], mapping)
    for await (const item of opened.rows) {
      if ('error' in item) yield item
      else yield mapped(item.row, (c) => item.values[c], mapping, opened.unit, 'field')
    }
    return
  }
  const ragged = found.format !== 'xlsx'
  let columns: string[] | null = null
  let index: Record<string, number> = {}
  let needed = 0
  for await (const { row, cells } of opened.rows) {
    if (isBlank(cells)) continue
    if (!columns) {
      columns = uniqueColumns(cells)
      index = columnIndex(columns, mapping)
      needed = Math.max(...Object.values(index))
      continue
    }
    if (ragged && cells.length < columns.length && cells.length <= needed) {
      yield {
        row,
        error: `Row ${row} has ${cells.length} columns; the header has ${columns.length}`,
      }
      continue
    }
    yield mapped(row, (c) => cells[index[c]], mapping, 'Row', 'column')
  }
}

/** Positions of the mapped columns; a mapping that names a missing column is refused up front. */
function columnIndex(columns: string[], mapping: ColumnMapping): Record<string, number> {
  const index: Record<string, number> = {}
  for (const name of [mapping.text, mapping.label, mapping.id, mapping.group, mapping.split]) {
    if (name === undefined) continue
    const i = columns.indexOf(name)
    if (i < 0)
      throw new CtsError(
        'bad-input',
        `The column "${name}" is not in this file. Its columns are: ${columns.join(', ')}.`,
      )
    index[name] = i
  }
  return index
}

/** One mapped record: the text must be there; label, id, group and split are optional. */
function mapped(
  row: number,
  get: (column: string) => string | undefined,
  mapping: ColumnMapping,
  unit: 'Row' | 'Line' | 'Item',
  noun: 'column' | 'field',
): SourceRecord {
  const text = normaliseText(get(mapping.text) ?? '')
  if (!text) return { row, error: `${unit} ${row}: the text ${noun} "${mapping.text}" is empty` }
  const record: MappedRecord = { row, text }
  const optional = (column: string | undefined) =>
    column === undefined ? '' : (get(column) ?? '').trim()
  const label = optional(mapping.label)
  const externalId = optional(mapping.id)
  const group = optional(mapping.group)
  if (label) record.label = label
  if (externalId) record.externalId = externalId
  if (group) record.group = group
  const splitCell = optional(mapping.split)
  const split = parseSplit(splitCell)
  if (split === undefined)
    return { row, error: `${unit} ${row}: split "${splitCell}" is not train, dev or test` }
  if (split) record.split = split
  return record
}

/** Reads CSV, TSV, XLSX, JSONL, JSON and TXT files for preview and import. */
export const sourceReader: SourceReader = { preview, records }
