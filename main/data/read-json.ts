// Streams JSONL (one object per line), JSON arrays (of objects or of strings) and plain TXT (one
// text per line) as keyed rows; a bad line or item becomes a rejected row, not a failed import.
import { CtsError } from '../shared'
import { numberedLines } from './decode-text'

/** A row keyed by field name, or a row that could not be read with the reason why. */
export type KeyedRow =
  { row: number; values: Record<string, string> } | { row: number; error: string }

/** The field a bare string (TXT line, JSON string item) is stored under. */
export const TEXT_FIELD = 'text'

export async function* txtRows(chunks: AsyncIterable<string>): AsyncGenerator<KeyedRow> {
  for await (const { line, text } of numberedLines(chunks)) {
    if (text.trim()) yield { row: line, values: { [TEXT_FIELD]: text } }
  }
}

export async function* jsonlRows(chunks: AsyncIterable<string>): AsyncGenerator<KeyedRow> {
  for await (const { line, text } of numberedLines(chunks)) {
    if (!text.trim()) continue
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      yield { row: line, error: `Line ${line} is not valid JSON` }
      continue
    }
    yield keyed(line, parsed, `Line ${line}`)
  }
}

/**
 * Items of a top-level JSON array, cut out one at a time by tracking strings and nesting, so the
 * array is never parsed (or held) whole. Items are numbered from 1.
 */
export async function* jsonArrayRows(chunks: AsyncIterable<string>): AsyncGenerator<KeyedRow> {
  let started = false
  let done = false
  let depth = 0
  let inString = false
  let escaped = false
  let item = ''
  let index = 0
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length && !done; i++) {
      const ch = chunk[i]
      if (!started) {
        if (ch === '[') started = true
        else if (!/\s|\uFEFF/.test(ch)) throw notAList()
        continue
      }
      if (inString) {
        item += ch
        if (escaped) escaped = false
        else if (ch === '\\') escaped = true
        else if (ch === '"') inString = false
        continue
      }
      if (depth === 0 && (ch === ',' || ch === ']')) {
        if (item.trim()) yield parseItem(++index, item)
        else if (ch === ',')
          yield { row: ++index, error: `Item ${index} is empty (two commas in a row)` }
        item = ''
        if (ch === ']') done = true
        continue
      }
      if (ch === '"') inString = true
      else if (ch === '{' || ch === '[') depth++
      else if (ch === '}' || ch === ']') depth--
      if (depth > 0 || inString || !/\s/.test(ch)) item += ch
    }
    if (done) return
  }
  if (!started) throw notAList()
  if (item.trim())
    yield { row: ++index, error: `Item ${index}: the file ends before this item is complete` }
  else yield { row: index + 1, error: 'The file ends before the list is closed with "]"' }
}

function parseItem(index: number, source: string): KeyedRow {
  try {
    return keyed(index, JSON.parse(source), `Item ${index}`)
  } catch {
    return { row: index, error: `Item ${index} is not valid JSON` }
  }
}

/** A .json file that holds neither a list nor one object per line. */
export function notAList(): CtsError {
  return new CtsError(
    'bad-input',
    'This JSON file does not hold a list. Expected [{"text": "…", "label": "…"}, …] or ["text", …].',
  )
}

function keyed(row: number, parsed: unknown, where: string): KeyedRow {
  if (typeof parsed === 'string') return { row, values: { [TEXT_FIELD]: parsed } }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { row, error: `${where} is not an object like {"text": "…"} or a text in quotes` }
  const values: Record<string, string> = {}
  for (const [key, value] of Object.entries(parsed)) values[key] = fieldText(value)
  return { row, values }
}

/** Field values as text: lists (several labels) joined with ';', nested objects as JSON. */
function fieldText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(fieldText).join(';')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
