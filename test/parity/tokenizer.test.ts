// Tokenizer parity: our token ids must equal Hugging Face's fast tokenizer (Python transformers)
// for every text of the bilingual corpus, at max length 128 and 512, from tokenizer.json and
// from a vocab.txt-only copy of the model.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadTokenizer } from '../../main/ml/tokenize/load-tokenizer'

const ROOT = process.cwd()
const PYTHON = join(ROOT, '.venv/bin/python')
const MODEL = join(ROOT, 'resources/models/all-MiniLM-L6-v2')
const CORPUS = join(ROOT, 'test/fixtures/tokenizer-corpus.jsonl')
const REF = join(ROOT, 'test/parity/python/tokenize_ref.py')
const LENGTHS = [128, 512]

interface Row {
  id: string
  kind: string
  text: string
}
type Reference = { tokenizer: string; ids: Record<string, Record<string, number[]>> }

async function reference(modelDir: string, corpus: string, vocabOnly: boolean): Promise<Reference> {
  const args = [
    REF,
    modelDir,
    corpus,
    ...LENGTHS.map(String),
    ...(vocabOnly ? ['--vocab-only'] : []),
  ]
  const { stdout } = await promisify(execFile)(PYTHON, args, {
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' },
  })
  return JSON.parse(stdout) as Reference
}

/** Ids of texts whose encoding differs, with the first differing position, for a readable failure. */
function mismatches(
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

let rows: Row[]
let fromJson: Reference
let fromVocab: Reference

const VENV_MISSING =
  'The Python reference venv is missing (.venv/bin/python): run scripts/setup-python.sh'

/** Each test fails (never skips) without the venv, saying how to create it. */
function requirePython(): void {
  if (!existsSync(PYTHON)) throw new Error(VENV_MISSING)
}

beforeAll(async () => {
  rows = (await readFile(CORPUS, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row)
  if (!existsSync(PYTHON)) return
  ;[fromJson, fromVocab] = await Promise.all([
    reference(MODEL, CORPUS, false),
    reference(MODEL, CORPUS, true),
  ])
})

describe('tokenizer parity with Hugging Face transformers', () => {
  it('covers a corpus of at least 200 texts, some beyond 128 and 512 tokens', () => {
    requirePython()
    expect(rows.length).toBeGreaterThanOrEqual(200)
    const full = (id: string) => fromJson.ids[id]['512'].length
    expect(rows.filter((r) => full(r.id) > 128).length).toBeGreaterThan(5)
    // Hugging Face cut these to exactly 512: their full length is longer.
    expect(rows.filter((r) => full(r.id) === 512).length).toBeGreaterThan(3)
  })

  it('gives identical ids from tokenizer.json at max length 128 and 512', async () => {
    requirePython()
    const tok = await loadTokenizer(MODEL)
    const ref = fromJson
    expect(tok.source).toBe('tokenizer.json')
    expect(mismatches(rows, (t, n) => tok.encode(t, n), ref)).toEqual([])
    // The batch path pads but must keep every row's ids.
    const batch = tok.encodeBatch(
      rows.map((r) => r.text),
      { maxLength: 128, padding: 'longest' },
    )
    rows.forEach((r, b) => {
      const row = Array.from(
        batch.inputIds.subarray(b * batch.seqLen, b * batch.seqLen + batch.lengths[b]),
        Number,
      )
      expect(row).toEqual(ref.ids[r.id]['128'])
    })
  })

  it('gives identical ids from a vocab.txt-only folder, Chinese and mixed texts included', async () => {
    requirePython()
    const dir = await mkdtemp(join(tmpdir(), 'cts-vocab-only-'))
    for (const f of [
      'vocab.txt',
      'tokenizer_config.json',
      'special_tokens_map.json',
      'config.json',
    ]) {
      await copyFile(join(MODEL, f), join(dir, f))
    }
    const tok = await loadTokenizer(dir)
    const ref = fromVocab
    expect(tok.source).toBe('vocab.txt')
    const chinese = rows.filter((r) => /[\u4e00-\u9fff]/.test(r.text))
    expect(chinese.length).toBeGreaterThan(50)
    expect(mismatches(chinese, (t, n) => tok.encode(t, n), ref)).toEqual([])
    expect(mismatches(rows, (t, n) => tok.encode(t, n), ref)).toEqual([])
  })
})
