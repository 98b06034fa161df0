// Labelled texts read from files ('training/startFiles', 'studies/startFiles', 'cv/startFiles':
// `cts train|cv --train FILE`) through main/data's readers, so every format and encoding the
// importer knows works here too. A problem with one argument names it in details.issues.
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { z } from 'zod'
import type { trainingFilesSchema } from '../../preload/contract/training'
import { CtsError } from '../shared'
import type { TrainingData } from './training-data'

export type TrainingFiles = z.output<typeof trainingFilesSchema>

export interface FileTexts {
  texts: string[]
  /** Label strings (undefined when the file has no label column). */
  labels: (string | undefined)[]
  groups: (string | undefined)[]
  skipped: number
}

type FileField = 'train' | 'dev' | 'test' | 'textColumn' | 'labelColumn' | 'groupColumn'

const FIELD_NAMES: Record<FileField, string> = {
  train: 'The training file',
  dev: 'The development file',
  test: 'The test file',
  textColumn: 'The text column',
  labelColumn: 'The label column',
  groupColumn: 'The group column',
}

/**
 * A bad-input about one field of `files`: `must` says what the field allows ("must be …"), and
 * details.issues carries it by path, so a transport can name its own field (the CLI: the flag).
 */
function fieldError(field: FileField, must: string): CtsError {
  return new CtsError('bad-input', `${FIELD_NAMES[field]} ${must}`, {
    issues: [{ path: ['files', field], message: must, fromSchema: false }],
  })
}

function checkFile(field: FileField, path: string): string {
  const full = resolve(path)
  if (!existsSync(full) || !statSync(full).isFile())
    throw fieldError(field, `must be a file to read texts from; there is no file ${full}.`)
  return full
}

/** The texts (and labels, groups) of one file; `field` names the file in errors. */
export async function readTextsFile(
  path: string,
  cols: { textColumn?: string; labelColumn?: string; groupColumn?: string },
  needLabels: boolean,
  field: FileField = 'train',
): Promise<FileTexts> {
  const input = { path: checkFile(field, path) }
  // Loaded on first use: the readers (exceljs …) stay out of every boot of the backend and CLI.
  const { sourceReader } = await import('../data/open-source')
  const preview = await sourceReader.preview(input, {})
  const columns = preview.columns ?? []
  const check = (f: FileField, c: string | undefined) => {
    if (c !== undefined && columns.length > 0 && !columns.includes(c)) {
      throw fieldError(
        f,
        `must be a column of ${input.path}: "${c}" is not one. Columns: ${columns.join(', ')}.`,
      )
    }
    return c
  }
  const mapping = {
    text: check('textColumn', cols.textColumn) ?? preview.suggestedMapping.text,
    label: check('labelColumn', cols.labelColumn) ?? preview.suggestedMapping.label,
    ...(cols.groupColumn ? { group: check('groupColumn', cols.groupColumn) } : {}),
  }
  if (needLabels && !mapping.label) {
    throw fieldError(
      'labelColumn',
      `must name one of the columns of ${input.path} (${columns.join(', ')}): none could be recognised as the labels.`,
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

/**
 * The training data of files: --train's texts (with groups), --dev's and --test's against its
 * labels. `skipped`: train rows without a text or a label.
 */
export async function filesData(
  files: TrainingFiles,
  use: { dev: boolean } = { dev: true },
): Promise<{ data: TrainingData; skipped: number }> {
  const train = await readTextsFile(files.train, files, true, 'train')
  const labels = labelOrder(train.labels as string[])
  const other = async (field: 'dev' | 'test', file: string | undefined) => {
    if (!file) return undefined
    const f = await readTextsFile(file, files, true, field)
    return { texts: f.texts, labels: labelIndices(f.labels, labels, file) }
  }
  const dev = use.dev ? await other('dev', files.dev) : undefined
  const test = await other('test', files.test)
  return {
    data: {
      labels,
      train: {
        texts: train.texts,
        labels: labelIndices(train.labels, labels, files.train),
        groups: train.groups,
      },
      ...(dev ? { dev } : {}),
      ...(test ? { test } : {}),
    },
    skipped: train.skipped,
  }
}
