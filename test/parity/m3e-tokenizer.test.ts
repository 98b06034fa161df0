// Tokenizer parity on m3e-small (issue #9, point 5): our token ids must equal Hugging Face's for
// every text of the Chinese/mixed clinical corpus at max length 128 and 512, from the model's
// tokenizer.json and from a vocab.txt-only copy (how most Chinese checkpoints ship).
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadTokenizer } from '../../main/ml/tokenize/load-tokenizer'
import { ROOT, requirePython } from './bert-harness'

const M3E_DIR = join(ROOT, 'resources/models/m3e-small')
const CORPUS = join(ROOT, 'test/fixtures/tokenizer-corpus-zh.jsonl')
const REF = join(ROOT, 'test/parity/python/tokenize_ref.py')
const LENGTHS = [128, 512]

interface Row {
  id: string
  kind: string
  text: string
}
type Reference = { tokenizer: string; ids: Record<string, Record<string, number[]>> }

/** The model is installed by scripts/setup.sh; without it the test fails saying so. */
function requireM3e(): void {
  if (!existsSync(join(M3E_DIR, 'tokenizer.json'))) {
    throw new Error(`m3e-small is not installed (${M3E_DIR}): run scripts/setup.sh first`)
  }
}

async function reference(modelDir: string, vocabOnly: boolean): Promise<Reference> {
  const args = [
    REF,
    modelDir,
    CORPUS,
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
  rows = (await readFile(CORPUS, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row)
  requirePython()
  requireM3e()
  vocabDir = await vocabOnlyCopy()
  ;[fromJson, fromVocab] = await Promise.all([reference(M3E_DIR, false), reference(vocabDir, true)])
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
    const batch = tok.encodeBatch(
      rows.map((r) => r.text),
      { maxLength: 512, padding: 'longest' },
    )
    expect(batch.seqLen).toBe(512)
    rows.forEach((r, b) => {
      const row = Array.from(
        batch.inputIds.subarray(b * batch.seqLen, b * batch.seqLen + batch.lengths[b]),
        Number,
      )
      expect(row).toEqual(fromJson.ids[r.id]['512'])
    })
  })

  it('gives identical ids from a vocab.txt-only copy of the model', async () => {
    const tok = await loadTokenizer(vocabDir)
    expect(tok.source).toBe('vocab.txt')
    expect(mismatches(rows, (t, n) => tok.encode(t, n), fromVocab)).toEqual([])
    // Both of Hugging Face's paths agree with each other as well.
    expect(fromVocab.ids).toEqual(fromJson.ids)
  })
})
