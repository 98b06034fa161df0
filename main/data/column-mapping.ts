// Column names → roles (text, label, id, group, split): the suggested mapping, the labels found in
// a preview, and the one rule for splitting a cell into several labels.
import type { ColumnMapping, TextSplit } from '../../preload/contract'
import { MAX_LABELS_FOUND } from './import-limits'

type Role = keyof ColumnMapping

/** Header names (lower case, spaces and hyphens as '_') that suggest each role, EN + ZH. */
const ROLE_NAMES: Record<Role, string[]> = {
  text: [
    'text',
    'content',
    'sentence',
    'note',
    'abstract',
    'medical_abstract',
    '文本',
    '内容',
    '症状',
    '描述',
    '主诉',
  ],
  label: ['label', 'labels', 'class', 'category', 'condition_label', '诊断', '标签', '类别'],
  id: ['id', 'record_id', 'external_id', 'externalid', '编号'],
  group: ['group', 'patient', 'patient_id', '患者', '患者编号'],
  split: ['split', 'set', 'subset', 'fold', '数据集', '划分'],
}

/** Split cell values (lower case) → the stored split; anything else non-empty is refused. */
const SPLIT_VALUES: Record<string, TextSplit> = {
  train: 'train',
  training: 'train',
  训练: 'train',
  训练集: 'train',
  dev: 'dev',
  val: 'dev',
  valid: 'dev',
  validation: 'dev',
  验证: 'dev',
  验证集: 'dev',
  test: 'test',
  testing: 'test',
  测试: 'test',
  测试集: 'test',
}

/** The split a cell names (case-insensitive); null when blank; undefined when not a split. */
export function parseSplit(cell: string): TextSplit | null | undefined {
  const value = cell.trim().toLowerCase()
  if (!value) return null
  return Object.hasOwn(SPLIT_VALUES, value) ? SPLIT_VALUES[value] : undefined
}

/** How several labels share one cell (multi-label files). */
const LABEL_SEPARATORS = /[;|]/

/** Labels in one cell: split on ';' and '|', trimmed, empties dropped. */
export function splitLabels(cell: string): string[] {
  return cell
    .split(LABEL_SEPARATORS)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/** Text as stored: CRLF (and lone CR) become LF, outer whitespace trimmed, nothing else. */
export function normaliseText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim()
}

/** Header cells made usable as names: trimmed, blanks named "Column N", repeats numbered. */
export function uniqueColumns(header: string[]): string[] {
  const used = new Set<string>()
  return header.map((raw, i) => {
    const base = raw.replace(/\s+/g, ' ').trim() || `Column ${i + 1}`
    let name = base
    for (let n = 2; used.has(name); n++) name = `${base} (${n})`
    used.add(name)
    return name
  })
}

function key(column: string): string {
  return column
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
}

/**
 * Suggests a role for columns by name; the text column falls back to the column with the longest
 * values in the preview rows (or the first free column when there are none).
 */
export function suggestMapping(columns: string[], rows: string[][]): ColumnMapping {
  const taken = new Set<string>()
  const pick = (role: Role): string | undefined => {
    for (const alias of ROLE_NAMES[role]) {
      const column = columns.find((c) => key(c) === alias && !taken.has(c))
      if (column) {
        taken.add(column)
        return column
      }
    }
    return undefined
  }
  const text = pick('text')
  const label = pick('label')
  const id = pick('id')
  const group = pick('group')
  const split = pick('split')
  const mapping: ColumnMapping = { text: text ?? longestColumn(columns, rows, taken) }
  if (label) mapping.label = label
  if (id) mapping.id = id
  if (group) mapping.group = group
  if (split) mapping.split = split
  return mapping
}

function longestColumn(columns: string[], rows: string[][], taken: Set<string>): string {
  let best = -1
  let bestLength = -1
  columns.forEach((column, i) => {
    if (taken.has(column)) return
    const total = rows.reduce((sum, row) => sum + [...(row[i] ?? '').trim()].length, 0)
    if (total > bestLength) {
      best = i
      bestLength = total
    }
  })
  return columns[best] ?? columns[0] ?? 'text'
}

/**
 * Distinct labels in a column, in order of first appearance; cells are split on ; and | only
 * when `split` (multi-label), else each trimmed cell is one label, as the importer stores it.
 */
export function labelsIn(values: Iterable<string>, split = true): string[] {
  const found = new Set<string>()
  for (const value of values) {
    const trimmed = value.trim()
    for (const label of split ? splitLabels(value) : trimmed ? [trimmed] : []) {
      if (found.size >= MAX_LABELS_FOUND) return [...found]
      found.add(label)
    }
  }
  return [...found]
}
