// The seam between file importers (main/data) and the services that store what they read.
import type {
  ColumnMapping,
  ImportFormat,
  ImportPreviewDto,
  TextSplit,
} from '../../preload/contract'

/** Where the bytes come from: a path on disk, or bytes already in memory (browser upload). */
export type SourceInput = { path: string } | { name: string; bytes: Uint8Array }

export interface SourceOptions {
  /** 'auto' or undefined = detect; otherwise an encoding name iconv-lite knows (utf-8, gb18030 …). */
  encoding?: string
  /** XLSX only: the sheet name; first sheet when absent. */
  sheet?: string
  /**
   * Preview only: whether a label cell may name several labels (split on ; and |), as in a
   * multi-label project. Default true; the datasets service passes false for other projects.
   */
  splitLabelCells?: boolean
}

/** One record read from a file after column mapping. `row` is the 1-based row the user sees. */
export type SourceRecord = MappedRecord | { row: number; error: string }

export interface MappedRecord {
  row: number
  text: string
  label?: string
  externalId?: string
  group?: string
  /** From the split column when one is mapped; absent when its cell is blank. */
  split?: TextSplit
}

/**
 * What importers offer to services (implemented in main/data/open-source.ts):
 *  - preview(input, options): format, encoding, columns, first rows, suggested mapping, labels found
 *  - records(input, options, mapping): streams mapped records with bounded memory; a row that
 *    cannot be used is yielded as `{ row, error }` with a reason a clinician can act on; a file
 *    that cannot be read at all throws a CtsError('bad-input', …).
 */
export interface SourceReader {
  preview(input: SourceInput, options: SourceOptions): Promise<ImportPreviewDto>
  records(
    input: SourceInput,
    options: SourceOptions,
    mapping: ColumnMapping,
  ): AsyncIterable<SourceRecord>
}

export type { ImportFormat }
