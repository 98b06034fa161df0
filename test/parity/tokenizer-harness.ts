// Shared pieces of the tokenizer parity tests (tokenizer.test.ts, m3e-tokenizer.test.ts): the
// JSONL corpus, Hugging Face's ids from tokenize_ref.py, and a readable list of mismatches.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { ClinicalTokenizer } from '../../main/ml/tokenize/clinical-tokenizer'
import { ROOT, requirePython } from './bert-harness'

const REF = join(ROOT, 'test/parity/python/tokenize_ref.py')
export const LENGTHS = [128, 512]

export interface Row {
  id: string
  kind: string
  text: string
}
export type Reference = { tokenizer: string; ids: Record<string, Record<string, number[]>> }

/** The corpus rows of a JSONL file (one {id, kind, text} a line). */
export async function readCorpus(corpus: string): Promise<Row[]> {
  return (await readFile(corpus, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row)
}

/** Hugging Face's ids for every corpus text at each of LENGTHS; fails without the venv. */
export async function reference(
  modelDir: string,
  corpus: string,
  vocabOnly: boolean,
): Promise<Reference> {
  const args = [
    REF,
    modelDir,
    corpus,
    ...LENGTHS.map(String),
    ...(vocabOnly ? ['--vocab-only'] : []),
  ]
  const { stdout } = await promisify(execFile)(requirePython(), args, {
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' },
  })
  return JSON.parse(stdout) as Reference
}

/** Texts whose encoding differs, with the first differing position, for a readable failure. */
export function mismatches(
  rows: Row[],
  ours: (text: string, n: number) => number[],
  ref: Reference,
): string[] {
  const out: string[] = []
  for (const row of rows) {
    for (const n of LENGTHS) {
      const a = ours(row.text, n)
      const b = ref.ids[row.id][String(n)]
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        const at = a.findIndex((x, i) => x !== b[i])
        out.push(
          `${row.id} @${n}: first difference at token ${at < 0 ? b.length : at} (ours ${a.length}, HF ${b.length})`,
        )
      }
    }
  }
  return out
}

/** The padded batch path's length and each row's ids with the padding cut off, to compare. */
export function batchRows(
  tok: ClinicalTokenizer,
  rows: Row[],
  maxLength: number,
): { seqLen: number; ids: number[][] } {
  const batch = tok.encodeBatch(
    rows.map((r) => r.text),
    { maxLength, padding: 'longest' },
  )
  const ids = rows.map((_, b) =>
    Array.from(
      batch.inputIds.subarray(b * batch.seqLen, b * batch.seqLen + batch.lengths[b]),
      Number,
    ),
  )
  return { seqLen: batch.seqLen, ids }
}
