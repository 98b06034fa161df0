// The data side of the Chinese medical accuracy benchmark (zh-medical-accuracy.ts): reads CMID
// (Chinese Medical Intent Dataset) or any labelled file our importers read, and makes the app's split.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { CtsError } from '../../preload/contract/common'
import { labelOrder, readTextsFile } from '../../main/services/training-files'
import { trainBatches } from '../../main/ml/train/batching'
import { Rng } from '../../main/ml/train/rng'
import { dataSnapshotHash, prepareSplits } from '../../main/services/training-data'
import type { LabelledTexts } from '../../main/ml/train/trainer'

/** CMID's two manual annotations of each question: 4 coarse intents or 36 fine ones. */
export const CMID_LABEL_FIELDS = { '4': 'label_4class', '36': 'label_36class' } as const
export type CmidLabels = keyof typeof CMID_LABEL_FIELDS

export interface LabelledRows {
  texts: string[]
  labels: string[]
  /** Rows left out, by reason (no text, no label, several different labels). */
  skipped: Record<string, number>
}

/** CMID writes labels as ["'病症'"]: a list with one quoted name. Quotes go, the name stays. */
function labelName(v: unknown): string | null {
  const values = (Array.isArray(v) ? v : [v])
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.trim().replace(/^['"‘’“”]+|['"‘’“”]+$/g, ''))
    .filter((x) => x !== '')
  const unique = [...new Set(values)]
  return unique.length === 1 ? unique[0] : unique.length === 0 ? null : 'several'
}

/** CMID.json's records: JSON Lines (as distributed: one object a line) or one JSON array. */
function cmidRecords(file: string, body: string): Record<string, unknown>[] {
  const trimmed = body.trim()
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Record<string, unknown>[]
  return trimmed
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, unknown>
      } catch {
        throw new CtsError('bad-input', `${file}, line ${i + 1} is not a JSON object.`)
      }
    })
}

/** True when the file's first record is a CMID question (has `originalText`). */
export function looksLikeCmid(file: string): boolean {
  const head = readFileSync(file, 'utf8').slice(0, 4096).trimStart()
  return /^\[?\s*\{\s*"originalText"\s*:/.test(head)
}

export function readCmid(file: string, labels: CmidLabels): LabelledRows {
  const field = CMID_LABEL_FIELDS[labels]
  const records = cmidRecords(file, readFileSync(file, 'utf8'))
  if (!records.some((r) => field in r)) {
    const fields = [...new Set(records.slice(0, 50).flatMap((r) => Object.keys(r)))]
    throw new CtsError(
      'bad-input',
      `${file} has no "${field}" field (fields: ${fields.join(', ')}); choose --labels ${labels === '4' ? '36' : '4'}.`,
    )
  }
  const out: LabelledRows = { texts: [], labels: [], skipped: {} }
  const skip = (why: string) => (out.skipped[why] = (out.skipped[why] ?? 0) + 1)
  for (const r of records) {
    const text = typeof r.originalText === 'string' ? r.originalText.trim() : ''
    const label = labelName(r[field])
    if (!text) skip('no text')
    else if (label === null) skip(`no ${field}`)
    else if (label === 'several') skip(`several different ${field} values`)
    else {
      out.texts.push(text)
      out.labels.push(label)
    }
  }
  return out
}

/** A CSV / TSV / XLSX / JSONL file through the importers `cts train --train FILE` uses. */
export async function readLabelledFile(
  file: string,
  cols: { textCol?: string; labelCol?: string },
): Promise<LabelledRows> {
  const r = await readTextsFile(
    file,
    { textColumn: cols.textCol, labelColumn: cols.labelCol },
    true,
  )
  return {
    texts: r.texts,
    labels: r.labels as string[],
    skipped: r.skipped > 0 ? { 'no text or label': r.skipped } : {},
  }
}

/** A seeded sample of n rows (all rows when n ≥ their number), in file order. */
export function sampleRows(rows: LabelledRows, n: number, seed: number): LabelledRows {
  if (n >= rows.texts.length) return rows
  const keep = new Rng(seed)
    .shuffle([...rows.texts.keys()])
    .slice(0, n)
    .sort((x, y) => x - y)
  return {
    texts: keep.map((i) => rows.texts[i]),
    labels: keep.map((i) => rows.labels[i]),
    skipped: rows.skipped,
  }
}

export interface SavedSplit {
  source: { file: string; sha256: string; labelField: string; rows: number }
  seed: number
  labels: string[]
  /** Later copies of a text already seen (NFC, trimmed), dropped before splitting, as the app does. */
  duplicates: number
  /** dataSnapshotHash of labels + the three splits: equal hashes, equal texts. */
  snapshot: string
  train: LabelledTexts
  dev: LabelledTexts
  test: LabelledTexts
}

/** The split `cts train --train FILE` makes: de-duplicated, seeded, stratified 80/10/10. */
export function splitRows(
  rows: LabelledRows,
  seed: number,
  source: { file: string; labelField: string },
): SavedSplit {
  const labels = labelOrder(rows.labels)
  if (labels.length < 2) {
    throw new CtsError('bad-input', `${source.file}: at least 2 labels are needed.`)
  }
  const index = new Map(labels.map((l, i) => [l, i]))
  const s = prepareSplits(
    { labels, train: { texts: rows.texts, labels: rows.labels.map((l) => index.get(l)!) } },
    seed,
    'stratified',
  )
  const strip = (x: LabelledTexts) => ({ texts: x.texts, labels: x.labels })
  const train = strip(s.train)
  const dev = strip(s.dev)
  const test = strip(s.test)
  return {
    source: {
      ...source,
      sha256: createHash('sha256').update(readFileSync(source.file)).digest('hex'),
      rows: rows.texts.length,
    },
    seed,
    labels,
    duplicates: s.duplicates,
    snapshot: dataSnapshotHash(labels, { train, dev, test }),
    train,
    dev,
    test,
  }
}

/**
 * Mean share of each full batch's most frequent label, for our length-bucketed batches and for
 * random ones, over `epochs` seeded epochs. Far above random means text length predicts the label,
 * so our batches mix labels less than PyTorch's: a source of gap that is not arithmetic.
 */
export function batchLabelMix(
  lengths: number[],
  labels: number[],
  o: {
    batchSize: number
    maxLength: number
    lengthMultiple: number
    seed: number
    epochs?: number
  },
): { ours: number; random: number } {
  const share = (idx: number[]) => {
    const counts = new Map<number, number>()
    for (const i of idx) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1)
    return Math.max(...counts.values()) / idx.length
  }
  const ours: number[] = []
  const random: number[] = []
  for (let e = 0; e < (o.epochs ?? 10); e++) {
    const rng = new Rng(o.seed + e)
    for (const b of trainBatches(lengths, { ...o, rng })) {
      if (b.indices.length === o.batchSize) ours.push(share(b.indices))
    }
    const order = new Rng(o.seed + 1000 + e).shuffle([...labels.keys()])
    for (let i = 0; i + o.batchSize <= order.length; i += o.batchSize) {
      random.push(share(order.slice(i, i + o.batchSize)))
    }
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length)
  return { ours: mean(ours), random: mean(random) }
}
