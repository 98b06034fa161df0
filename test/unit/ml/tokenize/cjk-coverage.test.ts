// The CJK share of texts and a tokenizer's [UNK] share of their CJK characters, counted exactly on
// a small bilingual fixture with a fake tokenizer and with the real MiniLM and m3e-small tokenizers.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  cjkShare,
  countCjk,
  modelUnknownTest,
  shareOfCjk,
  tokenizerUnkShare,
  unkShareOf,
  unknownTest,
  type CharTokenizer,
} from '../../../../main/ml/tokenize/cjk-coverage'
import { loadTokenizer } from '../../../../main/ml/tokenize/load-tokenizer'

const fixture = new URL('../../../fixtures/services/model-choice-texts.json', import.meta.url)
const texts = (JSON.parse(readFileSync(fixture, 'utf8')) as { texts: string[] }).texts
const model = (name: string) =>
  fileURLToPath(new URL(`../../../../resources/models/${name}`, import.meta.url))
const MINILM = model('all-MiniLM-L6-v2')
const M3E = model('m3e-small')

describe('countCjk', () => {
  it('counts non-whitespace code points and Han characters, not punctuation or spaces', () => {
    const c = countCjk(texts)
    // 11 + 27 + 17 + 10 non-whitespace characters; the full-width space U+3000 is whitespace.
    expect(c.characters).toBe(65)
    // 9 + 5 + 10 Han characters; 𠀀 (U+20000) is one character, '，' and '。' are not Han.
    expect(c.cjk).toBe(24)
    expect(c.perChar.size).toBe(22)
    expect(c.perChar.get('天')).toBe(2)
    expect(c.perChar.get('字')).toBe(2)
    expect(c.perChar.get('𠀀')).toBe(1)
    expect(c.perChar.has('，')).toBe(false)
    expect(shareOfCjk(c)).toBe(24 / 65)
    expect(cjkShare(texts)).toBe(24 / 65)
  })

  it('gives 0 for no texts, empty texts and texts without Chinese', () => {
    expect(cjkShare([])).toBe(0)
    expect(cjkShare(['', '  \n'])).toBe(0)
    expect(cjkShare(['Fever 38.5 C'])).toBe(0)
    expect(cjkShare(['发热'])).toBe(1)
  })
})

describe('unkShareOf', () => {
  it('weights each distinct character by its occurrences and asks once per character', () => {
    const c = countCjk(texts)
    const asked: string[] = []
    const known = new Set('患者三天')
    const share = unkShareOf(c, (ch) => {
      asked.push(ch)
      return !known.has(ch)
    })
    // Known: 患 1, 者 1, 三 1, 天 2 → 5 of 24 occurrences.
    expect(share).toBe(19 / 24)
    expect(asked).toHaveLength(22)
  })

  it('is null when there is no CJK character to judge', () => {
    expect(unkShareOf(countCjk(['no Chinese here']), () => true)).toBeNull()
  })
})

/** A fake tokenizer: each character's pieces, [CLS] 0 … [SEP] 1 around them, [UNK] 2. */
function fakeTokenizer(pieces: Record<string, string[]>): CharTokenizer {
  const vocab = ['[CLS]', '[SEP]', '[UNK]']
  const id = (t: string) => (vocab.includes(t) ? vocab.indexOf(t) : vocab.push(t) - 1)
  return {
    prefixIds: [0],
    suffixIds: [1],
    unkId: 2,
    encode: (text: string) => [0, ...(pieces[text] ?? ['[UNK]']).map(id), 1],
    tokens: (ids: ArrayLike<number | bigint>) => Array.from(ids, (i) => vocab[Number(i)]!),
  }
}

describe('unknownTest', () => {
  it('counts a character as known only when it is one piece, not [UNK]', () => {
    // Byte-level BPE (GPT-2 / RoBERTa): a merged ideograph is one token, a rare one 3 byte pieces.
    const bytes = unknownTest(fakeTokenizer({ 中: ['ä¸Ń'], 罕: ['ç', '½', 'ķ'], 文: ['Ġ', 'æĸĩ'] }))
    expect([bytes('中'), bytes('罕'), bytes('文')]).toEqual([false, true, false])
    // SentencePiece (XLM-R): a word-start marker before the character is not a second piece.
    const sp = unknownTest(fakeTokenizer({ 中: ['▁', '中'], 国: ['▁国'], 𠀀: ['▁', '[UNK]'] }))
    expect([sp('中'), sp('国'), sp('𠀀'), sp('无')]).toEqual([false, false, true, true])
    // A character the normalizer drops entirely is not known either.
    expect(unknownTest(fakeTokenizer({ 〇: [] }))('〇')).toBe(true)
  })
})

describe('real tokenizers', () => {
  it('all-MiniLM-L6-v2 knows only 三 and 天 of the fixture; m3e-small all but 𠀀', async () => {
    const minilm = await loadTokenizer(MINILM)
    // Unknown: 24 − (三 1 + 天 2) = 21 occurrences.
    expect(tokenizerUnkShare(minilm, texts)).toBe(21 / 24)
    const m3e = await loadTokenizer(M3E)
    expect(tokenizerUnkShare(m3e, texts)).toBe(1 / 24)
    expect(tokenizerUnkShare(m3e, ['English only'])).toBeNull()
  })

  it('loads a folder tokenizer once and judges a character the same in and out of context', async () => {
    const first = modelUnknownTest(M3E)
    expect(modelUnknownTest(M3E)).toBe(first)
    const test = await first
    expect([test('咳'), test('𠀀'), test('體')]).toEqual([false, true, false])
    const m3e = await loadTokenizer(M3E)
    // In a sentence, 𠀀 is the one [UNK] m3e-small produces.
    const ids = m3e.encode('罕见字𠀀与繁體字')
    expect(ids.filter((id) => id === m3e.unkId)).toHaveLength(1)
  })
})
