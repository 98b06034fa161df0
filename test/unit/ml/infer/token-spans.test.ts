// Mapping model units back to the original text: WordPiece tokens (case, accents, '##', [UNK],
// Chinese one character per token), RoBERTa's byte-level and XLM-R's SentencePiece pieces and the baseline's n-grams (words, CJK characters).
import { describe, expect, it } from 'vitest'
import { baselineNgramUnits, wordPieceSpans } from '../../../../main/ml/infer/token-spans'
import { baselineNgrams } from '../../../../main/ml/models/baseline-features'
import { pieceStyleOf } from '../../../../main/ml/tokenize/clinical-tokenizer'

const slices = (text: string, spans: { start?: number; end?: number }[]) =>
  spans.map((s) => (s.start === undefined ? null : text.slice(s.start, s.end)))

describe('wordPieceSpans', () => {
  it('finds continuations, punctuation and accented upper-case words', () => {
    const text = '  Fièvre: The PATIENTS  coughs.'
    const tokens = ['fievre', ':', 'the', 'patient', '##s', 'cough', '##s', '.']
    expect(slices(text, wordPieceSpans(text, tokens))).toEqual([
      'Fièvre',
      ':',
      'The',
      'PATIENT',
      'S',
      'cough',
      's',
      '.',
    ])
  })

  it('gives Chinese one character per token and lets [UNK] cover one word', () => {
    const text = '患者发热 xyzzy 咳嗽'
    const tokens = ['患', '者', '发', '热', '[UNK]', '[UNK]', '嗽']
    const spans = wordPieceSpans(text, tokens)
    expect(slices(text, spans)).toEqual(['患', '者', '发', '热', 'xyzzy', '咳', '嗽'])
    expect(spans[4]).toMatchObject({ start: 5, end: 10 })
  })

  it('leaves a token it cannot find without a span and keeps aligning the rest', () => {
    const text = 'fever and cough'
    const spans = wordPieceSpans(text, ['fever', 'zzz', 'and', 'cough'])
    expect(slices(text, spans)).toEqual(['fever', null, 'and', 'cough'])
  })

  it('steps over characters the tokenizer dropped', () => {
    const text = 'fever\uFFFD\u200Bcough'
    expect(slices(text, wordPieceSpans(text, ['fever', 'cough']))).toEqual(['fever', 'cough'])
  })

  it('counts offsets in UTF-16 units across astral characters', () => {
    const text = '𠀀 fever'
    expect(wordPieceSpans(text, ['[UNK]', 'fever'])).toEqual([
      { token: '[UNK]', start: 0, end: 2 },
      { token: 'fever', start: 3, end: 8 },
    ])
  })
})

describe('wordPieceSpans for other tokenizer families', () => {
  it("decodes RoBERTa's byte-level pieces: 'Ġ' spaces, a character split over two tokens", () => {
    const text = 'Fever 患者, café'
    // As Hugging Face's bytes_to_unicode writes them: 患 = æĤ£ (E6 82 A3), 者 = èĢħ, é = Ã©.
    const tokens = ['F', 'ever', 'Ġæ', 'Ĥ£', 'èĢħ', ',', 'Ġcaf', 'Ã©']
    const spans = wordPieceSpans(text, tokens, '<unk>', 'byte-level')
    expect(slices(text, spans)).toEqual(['F', 'ever', '患', '患', '者', ',', 'caf', 'é'])
    expect(spans.map((s) => s.token)).toEqual(['F', 'ever', '患', '患', '者', ',', 'caf', 'é'])
    // A four-byte emoji over three tokens: all three point at it.
    expect(
      slices('a 😀', wordPieceSpans('a 😀', ['a', 'Ġð', 'Łĺ', 'Ģ'], '<unk>', 'byte-level')),
    ).toEqual(['a', '😀', '😀', '😀'])
  })

  it("drops XLM-R's '▁' word-start marker; a bare marker gets no span", () => {
    const text = 'Fever 患者发热'
    const tokens = ['▁Fe', 'ver', '▁', '患者', '发热']
    expect(slices(text, wordPieceSpans(text, tokens, '<unk>', 'sentencepiece'))).toEqual([
      'Fe',
      'ver',
      null,
      '患者',
      '发热',
    ])
  })

  it("tells the families apart from tokenizer.json's model, pre-tokenizer and decoder", () => {
    expect(pieceStyleOf({ model: { type: 'WordPiece' } })).toBe('wordpiece')
    expect(pieceStyleOf({ model: { type: 'BPE' }, pre_tokenizer: { type: 'ByteLevel' } })).toBe(
      'byte-level',
    )
    expect(
      pieceStyleOf({
        model: { type: 'Unigram' },
        pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Metaspace' }] },
      }),
    ).toBe('sentencepiece')
  })
})

describe('baselineNgramUnits', () => {
  it('maps words and CJK characters to their spans and n-grams to shares summing to 1', () => {
    const text = 'Chest pain, 胸痛。'
    const u = baselineNgramUnits(text, 'cjk')!
    expect(u.units.map((x) => text.slice(x.start, x.end))).toEqual(['Chest', 'pain', '胸', '痛'])
    expect(u.shares).toHaveLength(baselineNgrams(text, 'cjk').length)
    for (const s of u.shares) expect(s.reduce((a, b) => a + b.weight, 0)).toBeCloseTo(1, 12)
    // 'w:chest', 'w:pain', 'b:chest pain', 'c1:胸', 'c1:痛', 'c2:胸痛'
    expect(u.shares[2]).toEqual([
      { unit: 0, weight: 0.5 },
      { unit: 1, weight: 0.5 },
    ])
    expect(u.shares[5]).toEqual([
      { unit: 2, weight: 0.5 },
      { unit: 3, weight: 0.5 },
    ])
  })

  it("puts a word's character n-grams on the word in 'all' mode", () => {
    const u = baselineNgramUnits('ab', 'all')!
    expect(u.units).toEqual([{ token: 'ab', start: 0, end: 2 }])
    expect(u.shares.every((s) => s.length === 1 && s[0].unit === 0)).toBe(true)
    expect(u.shares).toHaveLength(baselineNgrams('ab', 'all').length)
  })
})
