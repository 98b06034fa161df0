// Reading labelled texts from files for `cts train` / `cts predict` (through main/data's readers,
// so every format and encoding the importer knows works here too).
import { CtsError } from '../../../preload/contract'
import { sourceReader } from '../../data/open-source'

export interface FileTexts {
  texts: string[]
  /** Label strings (undefined when the file has no label column). */
  labels: (string | undefined)[]
  groups: (string | undefined)[]
  skipped: number
}

export async function readTextsFile(
  path: string,
  cols: { textCol?: string; labelCol?: string; groupCol?: string },
  needLabels: boolean,
): Promise<FileTexts> {
  const input = { path }
  const preview = await sourceReader.preview(input, {})
  const columns = preview.columns ?? []
  const check = (flag: string, c: string | undefined) => {
    if (c !== undefined && columns.length > 0 && !columns.includes(c)) {
      throw new CtsError(
        'bad-input',
        `${flag} "${c}" is not a column of ${path}. Columns: ${columns.join(', ')}.`,
      )
    }
    return c
  }
  const mapping = {
    text: check('--text-col', cols.textCol) ?? preview.suggestedMapping.text,
    label: check('--label-col', cols.labelCol) ?? preview.suggestedMapping.label,
    ...(cols.groupCol ? { group: check('--group-col', cols.groupCol) } : {}),
  }
  if (needLabels && !mapping.label) {
    throw new CtsError(
      'bad-input',
      `${path} has no label column that could be recognised: name it with --label-col.`,
    )
  }
  const out: FileTexts = { texts: [], labels: [], groups: [], skipped: 0 }
  for await (const r of sourceReader.records(input, {}, mapping)) {
    if ('error' in r || (needLabels && !r.label?.trim())) {
      out.skipped++
      continue
    }
    out.texts.push(r.text)
    out.labels.push(r.label?.trim())
    out.groups.push(r.group)
  }
  return out
}

/** Label names in a stable order: numeric when every label is a number, else alphabetical. */
export function labelOrder(values: string[]): string[] {
  const unique = [...new Set(values)]
  const numeric = unique.every((v) => /^-?\d+(\.\d+)?$/.test(v))
  return unique.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => a.localeCompare(b))
}

/** Map label strings to indices of `labels`; unknown labels are an error naming the row. */
export function labelIndices(
  values: (string | undefined)[],
  labels: string[],
  file: string,
): number[] {
  const index = new Map(labels.map((l, i) => [l, i]))
  return values.map((v, row) => {
    const i = index.get(v ?? '')
    if (i === undefined) {
      throw new CtsError(
        'bad-input',
        `${file}, text ${row + 1}: the label "${v}" does not occur in the training file.`,
      )
    }
    return i
  })
}
