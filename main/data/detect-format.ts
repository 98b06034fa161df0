// Decides how to read an import: format from the extension, confirmed by the content (a zip is a
// workbook whatever its name; binary junk is refused), then encoding and delimiter.
import iconv from 'iconv-lite'
import type { ImportFormat } from '../../preload/contract'
import { CtsError } from '../shared'
import { readRange, sourceExtension, sourceName, sourceSize } from './byte-source'
import { checkEncodingName, detectEncoding, notText } from './detect-encoding'
import { SNIFF_BYTES } from './import-limits'
import { notAList } from './read-json'
import { damaged } from './read-xlsx'
import { sniffDelimiter, type Delimiter } from './sniff-delimiter'
import type { SourceInput, SourceOptions } from './types'

export interface Inspection {
  format: ImportFormat
  /** Encoding the file is decoded with (the override when one was given). */
  encoding: string
  /** What detection found ('unknown' when an override was given for bytes that look binary). */
  detectedEncoding: string
  delimiter?: Delimiter
}

/** Encoding reported for workbooks, whose XML parts are UTF-8 by definition. */
const XLSX_ENCODING = 'utf-8'

/** Above this share of U+FFFD in the decoded sample, detection has failed: the bytes are not text. */
const MAX_REPLACEMENT_RATIO = 0.05

export async function inspect(input: SourceInput, options: SourceOptions): Promise<Inspection> {
  const size = await sourceSize(input)
  if (size === 0) throw new CtsError('bad-input', `The file "${sourceName(input)}" is empty.`)
  const head = await readRange(input, 0, SNIFF_BYTES)
  const complete = head.length >= size
  const ext = sourceExtension(input)

  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05))
    return { format: 'xlsx', encoding: XLSX_ENCODING, detectedEncoding: XLSX_ENCODING }
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0)
    throw new CtsError(
      'bad-input',
      'This is an old Excel 97–2003 (.xls) file. Open it in Excel, save it as .xlsx or CSV, and import that file.',
    )
  if (ext === 'xlsx' || ext === 'xlsm') throw damaged()

  const override =
    options.encoding && options.encoding.trim().toLowerCase() !== 'auto'
      ? checkEncodingName(options.encoding)
      : null
  let detectedEncoding: string
  try {
    detectedEncoding = detectEncoding(head, complete).encoding
  } catch (err) {
    if (!override) throw err
    detectedEncoding = 'unknown'
  }
  const encoding = override ?? detectedEncoding
  const sample = iconv.decode(head, encoding)
  if (!override && replacementRatio(sample) > MAX_REPLACEMENT_RATIO) throw notText()
  if (!sample.trim())
    throw new CtsError('bad-input', `The file "${sourceName(input)}" has no text in it.`)

  const first = sample.replace(/^[\s\uFEFF]+/, '')[0]
  const base = { encoding, detectedEncoding }
  const delimited = (fallback: Delimiter): Inspection => {
    const delimiter = sniffDelimiter(sample, complete, fallback)
    return { ...base, format: delimiter === '\t' ? 'tsv' : 'csv', delimiter }
  }
  switch (ext) {
    case 'txt':
    case 'text':
      return { ...base, format: 'txt' }
    case 'jsonl':
    case 'ndjson':
      return { ...base, format: 'jsonl' }
    case 'json':
      if (first !== '{') return { ...base, format: 'json' }
      // Objects one per line are JSONL whatever the name; one object spread over lines is not a list.
      if (!firstLineIsJson(sample)) throw notAList()
      return { ...base, format: 'jsonl' }
    case 'csv':
      return delimited(',')
    case 'tsv':
    case 'tab':
      return delimited('\t')
  }
  if (first === '[') return { ...base, format: 'json' }
  if (first === '{') return { ...base, format: 'jsonl' }
  const delimiter = sniffDelimiter(sample, complete, null)
  if (delimiter) return { ...base, format: delimiter === '\t' ? 'tsv' : 'csv', delimiter }
  return { ...base, format: 'txt' }
}

function firstLineIsJson(sample: string): boolean {
  const line = sample.split('\n').find((l) => l.trim()) ?? ''
  try {
    JSON.parse(line)
    return true
  } catch {
    return false
  }
}

function replacementRatio(text: string): number {
  if (!text.length) return 0
  let bad = 0
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) bad++
  return bad / text.length
}
