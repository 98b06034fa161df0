// Tokenizer parity on m3e-small (issue #9, point 5): our token ids must equal Hugging Face's for
// every text of the Chinese/mixed clinical corpus at max length 128 and 512, from the model's
// tokenizer.json and from a vocab.txt-only copy (how most Chinese checkpoints ship).
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

const M3E_DIR = join(ROOT, 'resources/models/m3e-small')
const CORPUS = join(ROOT, 'test/fixtures/tokenizer-corpus-zh.jsonl')
/** The model is installed by scripts/setup.sh; without it the test fails saying so. */
function requireM3e(): void {
  if (!existsSync(join(M3E_DIR, 'tokenizer.json'))) {
    throw new Error(`m3e-small is not installed (${M3E_DIR}): run scripts/setup.sh first`)
  }
}

/** A copy of m3e-small with vocab.txt (written from tokenizer.json's vocab) instead of it. */
async function vocabOnlyCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cts-m3e-vocab-'))
  const json = JSON.parse(await readFile(join(M3E_DIR, 'tokenizer.json'), 'utf8')) as {
    model: { vocab: Record<string, number> }
  }
  const tokens = Object.entries(json.model.vocab).sort((a, b) => a[1] - b[1])
  // vocab.txt gives ids by line number: the vocab must be dense for the copy to be the same model.
  tokens.forEach(([, id], i) => expect(id).toBe(i))
  await writeFile(join(dir, 'vocab.txt'), tokens.map(([t]) => `${t}\n`).join(''))
  for (const f of ['tokenizer_config.json', 'special_tokens_map.json', 'config.json']) {
    await copyFile(join(M3E_DIR, f), join(dir, f))
  }
  return dir
}

let rows: Row[]
let fromJson: Reference
let fromVocab: Reference
let vocabDir: string

beforeAll(async () => {
  rows = await readCorpus(CORPUS)
  requirePython()
  requireM3e()
  vocabDir = await vocabOnlyCopy()
  ;[fromJson, fromVocab] = await Promise.all([
    reference(M3E_DIR, CORPUS, false),
    reference(vocabDir, CORPUS, true),
  ])
}, 120_000)

afterAll(async () => {
  if (vocabDir) await rm(vocabDir, { recursive: true, force: true })
})

describe('m3e-small tokenizer parity with Hugging Face transformers', () => {
  it('covers at least 200 Chinese and mixed texts of every kind, some cut at 128 and 512', () => {
    expect(rows.length).toBeGreaterThanOrEqual(200)
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length)
    const kinds = new Map<string, number>()
    for (const r of rows) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1)
    expect(Object.fromEntries(kinds)).toEqual({
      zh: 135,
      mixed: 82,
      emoji: 16,
      trad: 18,
      space: 15,
      edge: 27,
      long: 10,
    })
    expect(rows.filter((r) => /[\u4e00-\u9fff]/.test(r.text)).length).toBeGreaterThanOrEqual(200)
    const full = (id: string) => fromJson.ids[id]['512'].length
    expect(rows.filter((r) => full(r.id) > 128).length).toBe(10)
    // Hugging Face cut these to exactly 512: their full length is longer.
    expect(rows.filter((r) => full(r.id) === 512).length).toBe(7)
    // m3e's vocabulary is cased without upper-case Latin: HF maps e.g. "Amoxicillin" to [UNK],
    // and the corpus must exercise that path too.
    expect(rows.filter((r) => fromJson.ids[r.id]['512'].includes(100)).length).toBeGreaterThan(100)
  })

  it('gives identical ids from tokenizer.json at max length 128 and 512', async () => {
    const tok = await loadTokenizer(M3E_DIR)
    expect(tok.source).toBe('tokenizer.json')
    expect(fromJson.tokenizer).toMatch(/^BertTokenizer/)
    expect(mismatches(rows, (t, n) => tok.encode(t, n), fromJson)).toEqual([])
    // The batch path pads but must keep every row's ids.
    const batch = batchRows(tok, rows, 512)
    expect(batch.seqLen).toBe(512)
    expect(batch.ids).toEqual(rows.map((r) => fromJson.ids[r.id]['512']))
  })

  it('gives identical ids from a vocab.txt-only copy of the model', async () => {
    const tok = await loadTokenizer(vocabDir)
    expect(tok.source).toBe('vocab.txt')
    expect(mismatches(rows, (t, n) => tok.encode(t, n), fromVocab)).toEqual([])
    // Both of Hugging Face's paths agree with each other as well.
    expect(fromVocab.ids).toEqual(fromJson.ids)
  })
})
