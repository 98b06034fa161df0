// The TF-IDF baseline's features: the hash, the vocabulary and idf, the per-block L2 norms,
// unknown n-grams dropped, truncation, and the vocabulary file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fnv1a } from '../../../../main/ml/models/baseline-features'
import { tfidfGrams } from '../../../../main/ml/models/baseline-analyzer'
import { BASELINE_VOCAB_FILE } from '../../../../main/shared'
import {
  buildTfidfVocabulary,
  hashedGrams,
  readTfidfVocabulary,
  tfidfText,
  writeTfidfVocabulary,
} from '../../../../main/ml/models/baseline-tfidf'

const cfg = { charMax: 4, maxFeatures: 4096 }
const corpus = ['chest pain', 'chest pain and fever', '发热咳嗽', 'fever 发热']

/** FNV-1a over TextEncoder's bytes: the definition the inline encoder must match. */
function reference(s: string): number {
  let h = 0x811c9dc5
  for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h >>> 0
}

describe('baseline TF-IDF features', () => {
  it('hashes the UTF-8 bytes exactly as TextEncoder encodes them, lone surrogates included', () => {
    const samples = [
      '',
      'a',
      'héllo',
      '发热咳嗽',
      '😀x',
      '\ud800',
      'a\udc00b',
      '\ud83d\ude00\ud83d',
    ]
    let seed = 7
    for (let i = 0; i < 3000; i++) {
      let s = ''
      for (let j = 0; j < i % 6; j++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
        s += String.fromCharCode(seed % 0x10000)
      }
      samples.push(s)
    }
    expect(samples.filter((s) => fnv1a(s) !== reference(s))).toEqual([])
  })

  it("makes scikit-learn's word and char_wb n-grams for a Latin text, with their places", () => {
    const grams = tfidfGrams('a Pain!', 2)
    expect(grams.map((g) => g.gram)).toEqual([
      // Words of two or more characters only ('a' is not one).
      'w:pain',
      // char_wb: ' a ' is 3 characters, so its 2-grams are the last it yields.
      ...['c1: ', 'c1:a', 'c1: ', 'c2: a', 'c2:a '],
      ...['c1: ', 'c1:p', 'c1:a', 'c1:i', 'c1:n', 'c1:!', 'c1: '],
      ...['c2: p', 'c2:pa', 'c2:ai', 'c2:in', 'c2:n!', 'c2:! '],
    ])
    expect(grams[0]).toEqual({ gram: 'w:pain', start: 2, end: 6, char: false })
    // A chunk shorter than n yields itself once, named by its length (scikit-learn's rule).
    expect(tfidfGrams('x', 4).map((g) => g.gram)).toEqual([
      'c1: ',
      'c1:x',
      'c1: ',
      'c2: x',
      'c2:x ',
      'c3: x ',
    ])
  })

  it("reads a mostly-Chinese text with 'char' n-grams over the whole text", () => {
    const grams = tfidfGrams('发热2天  咳嗽', 2)
    expect(grams.filter((g) => !g.char).map((g) => g.gram)).toEqual([
      'w:发热2天',
      'w:咳嗽',
      'b:发热2天 咳嗽',
    ])
    // The two spaces count as one.
    expect(grams.filter((g) => g.char).map((g) => g.gram)).toEqual([
      ...['c1:发', 'c1:热', 'c1:2', 'c1:天', 'c1: ', 'c1:咳', 'c1:嗽'],
      ...['c2:发热', 'c2:热2', 'c2:2天', 'c2:天 ', 'c2: 咳', 'c2:咳嗽'],
    ])
    expect(grams.find((g) => g.gram === 'c2:天 ')).toMatchObject({ start: 3, end: 6 })
  })

  it('gives smoothed idf, L2-normalises each block and drops n-grams never seen in training', () => {
    const grams = corpus.map((t) => hashedGrams(t, cfg))
    const vocab = buildTfidfVocabulary(grams)
    const chest = vocab.hashes.indexOf(fnv1a('w:chest'))
    const fever = vocab.hashes.indexOf(fnv1a('w:fever'))
    // ln((1 + n) / (1 + df)) + 1 with n = 4 and df = 2.
    expect(vocab.idf[chest]).toBeCloseTo(Math.log(5 / 3) + 1, 6)
    expect(vocab.idf[fever]).toBeCloseTo(Math.log(5 / 3) + 1, 6)
    const text = tfidfText(hashedGrams('chest chest xyzzy', cfg), vocab, 4096)
    const grams3 = tfidfGrams('chest chest xyzzy', cfg.charMax).map((g) => g.gram)
    const isChar = [...text.ids].map((_, s) => grams3[text.slots.indexOf(s)].startsWith('c'))
    for (const block of [false, true]) {
      const norm = [...text.values].reduce((n, v, s) => (isChar[s] === block ? n + v * v : n), 0)
      expect(norm).toBeCloseTo(1, 5)
    }
    // 'xyzzy' and its bigram are unknown (slot −1); 'chest' appears twice (sublinear tf).
    expect(text.slots[grams3.indexOf('w:xyzzy')]).toBe(-1)
    expect(text.slots[grams3.indexOf('b:chest xyzzy')]).toBe(-1)
    const chestSlot = text.slots[grams3.indexOf('w:chest')]
    expect(text.slots[grams3.lastIndexOf('w:chest')]).toBe(chestSlot)
    const wordValues = [...text.values].filter((_, s) => !isChar[s])
    expect(wordValues).toHaveLength(1) // only 'chest' is a known word n-gram
    expect(text.values[chestSlot]).toBeCloseTo(1, 6)
  })

  it('keeps at most maxFeatures distinct n-grams, in order of first occurrence', () => {
    const vocab = buildTfidfVocabulary(corpus.map((t) => hashedGrams(t, cfg)))
    const full = tfidfText(hashedGrams('chest pain and fever', cfg), vocab, 4096)
    const cut = tfidfText(hashedGrams('chest pain and fever', cfg), vocab, 5)
    expect([...cut.ids]).toEqual([...full.ids].slice(0, 5))
    expect(Math.max(...cut.slots)).toBe(4)
  })

  it('writes and reads the vocabulary file, and names a damaged one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cts-vocab-'))
    try {
      const vocab = buildTfidfVocabulary(corpus.map((t) => hashedGrams(t, cfg)))
      writeTfidfVocabulary(dir, vocab)
      const back = readTfidfVocabulary(dir, vocab.hashes.length)
      expect([...back.hashes]).toEqual([...vocab.hashes])
      expect([...back.idf]).toEqual([...vocab.idf])
      writeFileSync(join(dir, BASELINE_VOCAB_FILE), new Uint8Array(12))
      expect(() => readTfidfVocabulary(dir, vocab.hashes.length)).toThrow(
        `${join(dir, BASELINE_VOCAB_FILE)} holds 12 bytes where the model expects ${vocab.hashes.length * 8} (${vocab.hashes.length} n-grams): the run folder is damaged; train the baseline again`,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
