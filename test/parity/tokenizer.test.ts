// Tokenizer parity: our token ids must equal Hugging Face's fast tokenizer (Python transformers)
// for every text of the bilingual corpus, at max length 128 and 512, from tokenizer.json and
// from a vocab.txt-only copy of the model.
import { copyFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadTokenizer } from '../../main/ml/tokenize/load-tokenizer'
import { ROOT, requirePython } from './bert-harness'
import {
  batchRows,
  mismatches,
  readCorpus,
  reference,
  type Reference,
  type Row,
} from './tokenizer-harness'

const MODEL = join(ROOT, 'resources/models/all-MiniLM-L6-v2')
const CORPUS = join(ROOT, 'test/fixtures/tokenizer-corpus.jsonl')

let rows: Row[]
let fromJson: Reference
let fromVocab: Reference

beforeAll(async () => {
  rows = await readCorpus(CORPUS)
  // Without the venv each test fails through requirePython(), saying how to create it.
  try {
    requirePython()
  } catch {
    return
  }
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
    expect(batchRows(tok, rows, 128).ids).toEqual(rows.map((r) => ref.ids[r.id]['128']))
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
