// ClinicalTokenizer: BERT truncation and padding into int64 tensors, the vocab.txt-only path, and
// a specific refusal for each broken tokenizer file.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CtsError } from '../../../../preload/contract/common'
import { loadTokenizer } from '../../../../main/ml/tokenize/load-tokenizer'
import { parseVocabTxt } from '../../../../main/ml/tokenize/vocab-tokenizer'

const MINILM = join(process.cwd(), 'resources/models/all-MiniLM-L6-v2')
const TINY = join(process.cwd(), 'test/fixtures/models/tiny-bert')

async function copyOf(dir: string, files: string[]): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'cts-tok-'))
  for (const f of files) await copyFile(join(dir, f), join(out, f))
  return out
}

async function corpusTexts(): Promise<string[]> {
  return (await readFile(join(process.cwd(), 'test/fixtures/tokenizer-corpus.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text)
}

async function refusal(dir: string): Promise<{ code: string; message: string }> {
  try {
    await loadTokenizer(dir)
  } catch (err) {
    expect(err).toBeInstanceOf(CtsError)
    return { code: (err as CtsError).code, message: (err as CtsError).message }
  }
  throw new Error('expected the tokenizer to be refused')
}

describe('loadTokenizer from the tiny bilingual vocab.txt fixture', () => {
  it('splits Chinese characters, lower-cases English and uses ## word pieces', async () => {
    const tok = await loadTokenizer(TINY)
    expect(tok.source).toBe('vocab.txt')
    const vocab = parseVocabTxt(await readFile(join(TINY, 'vocab.txt'), 'utf8'))
    const ids = tok.encode('患者发热咳嗽。The PATIENT has fevers, no cough!')
    expect(tok.tokens(ids)).toEqual([
      '[CLS]',
      '患',
      '者',
      '发',
      '热',
      '咳',
      '嗽',
      '[UNK]',
      'the',
      'patient',
      'has',
      'fever',
      '##s',
      ',',
      'no',
      'cough',
      '[UNK]',
      '[SEP]',
    ])
    expect(ids[0]).toBe(vocab.get('[CLS]'))
    expect(tok.padId).toBe(vocab.get('[PAD]'))
  })
})

describe('ClinicalTokenizer.encodeBatch', () => {
  it('pads to the longest text, masks the padding and keeps token types at 0', async () => {
    const tok = await loadTokenizer(MINILM)
    const texts = ['Fever and cough for three days.', '发热', '']
    const rows = texts.map((t) => tok.encode(t, 128))
    const b = tok.encodeBatch(texts, { maxLength: 128, padding: 'longest' })
    expect(b.batch).toBe(3)
    expect(b.lengths).toEqual(rows.map((r) => r.length))
    expect(b.seqLen).toBe(Math.max(...b.lengths))
    rows.forEach((row, i) => {
      const slice = (a: BigInt64Array) =>
        Array.from(a.subarray(i * b.seqLen, (i + 1) * b.seqLen), Number)
      const pad = b.seqLen - row.length
      expect(slice(b.inputIds)).toEqual([...row, ...Array(pad).fill(tok.padId)])
      expect(slice(b.attentionMask)).toEqual([...Array(row.length).fill(1), ...Array(pad).fill(0)])
      expect(slice(b.tokenTypeIds)).toEqual(Array(b.seqLen).fill(0))
    })
    expect(rows[2]).toEqual([...tok.prefixIds, ...tok.suffixIds])
  })

  it("pads to maxLength with 'max_length'", async () => {
    const tok = await loadTokenizer(MINILM)
    const b = tok.encodeBatch(['short'], { maxLength: 16, padding: 'max_length' })
    expect([b.seqLen, b.inputIds.length, b.lengths[0]]).toEqual([16, 16, 3])
  })

  it('truncates to maxLength counting [CLS] and [SEP], keeping [SEP] last', async () => {
    const tok = await loadTokenizer(MINILM)
    const long = 'hypertension '.repeat(40)
    const full = tok.encode(long, 512)
    const cut = tok.encode(long, 10)
    expect(full.length).toBeGreaterThan(40)
    expect(cut).toEqual([...full.slice(0, 9), full[full.length - 1]])
    expect(tok.tokens([cut[0], cut[9]])).toEqual(['[CLS]', '[SEP]'])
    const b = tok.encodeBatch([long, 'a'], { maxLength: 10, padding: 'longest' })
    expect([b.seqLen, ...b.lengths]).toEqual([10, 10, 3])
  })

  it('truncates long texts exactly as encoding them whole and cutting would', async () => {
    const tok = await loadTokenizer(MINILM)
    const corpus = await corpusTexts()
    const long = [...corpus, corpus.join(' '), corpus.join(''), corpus.join('\t\n').toUpperCase()]
    for (const maxLength of [8, 33, 128]) {
      for (const text of long) {
        const whole = tok.encode(text, 1_000_000)
        const cut =
          whole.length <= maxLength
            ? whole
            : [...whole.slice(0, maxLength - 1), whole[whole.length - 1]]
        expect(tok.encode(text, maxLength)).toEqual(cut)
      }
    }
  })

  it('refuses a maximum length with no room for text', async () => {
    const tok = await loadTokenizer(MINILM)
    expect(() => tok.encode('x', 2)).toThrow('maximum length 2 leaves no room for text')
  })
})

describe('the vocab.txt-only path', () => {
  it('gives the same ids as tokenizer.json for every corpus text', async () => {
    const viaJson = await loadTokenizer(MINILM)
    const viaVocab = await loadTokenizer(
      await copyOf(MINILM, ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']),
    )
    expect(viaVocab.source).toBe('vocab.txt')
    const corpus = (
      await readFile(join(process.cwd(), 'test/fixtures/tokenizer-corpus.jsonl'), 'utf8')
    )
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { text: string }).text)
    const differing = corpus.filter(
      (t) => JSON.stringify(viaJson.encode(t, 512)) !== JSON.stringify(viaVocab.encode(t, 512)),
    )
    expect(corpus.length).toBeGreaterThan(200)
    expect(differing).toEqual([])
  })

  it('keeps accents when tokenizer_config.json says the model is cased', async () => {
    const dir = await copyOf(MINILM, ['vocab.txt'])
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false }))
    const cased = await loadTokenizer(dir)
    const uncased = await loadTokenizer(MINILM)
    expect(cased.tokens(cased.encode('Café', 16))).not.toEqual(
      uncased.tokens(uncased.encode('Café', 16)),
    )
    expect(uncased.tokens(uncased.encode('Café', 16))).toEqual(['[CLS]', 'cafe', '[SEP]'])
  })
})

describe('loadTokenizer refuses broken tokenizer files', () => {
  it('a folder with neither tokenizer.json nor vocab.txt', async () => {
    expect(await refusal(await copyOf(TINY, ['config.json']))).toEqual({
      code: 'bad-input',
      message: 'the model folder has neither tokenizer.json nor vocab.txt',
    })
  })

  it('a tokenizer.json that is not JSON', async () => {
    const dir = await copyOf(TINY, ['vocab.txt'])
    await writeFile(join(dir, 'tokenizer.json'), '{"model": ')
    expect((await refusal(dir)).message).toBe('tokenizer.json: not valid JSON')
  })

  it('a tokenizer.json without a model section', async () => {
    const dir = await copyOf(TINY, ['vocab.txt'])
    await writeFile(join(dir, 'tokenizer.json'), '{"version": "1.0"}')
    expect((await refusal(dir)).message).toBe('tokenizer.json: the "model" section is missing')
  })

  it('a tokenizer.json with an unknown model type', async () => {
    const dir = await copyOf(TINY, [])
    await writeFile(
      join(dir, 'tokenizer.json'),
      JSON.stringify({ model: { type: 'Mystery', vocab: {} } }),
    )
    expect((await refusal(dir)).message).toMatch(
      /^tokenizer.json: cannot be loaded as a tokenizer \(/,
    )
  })

  it('a vocab.txt missing [SEP]', async () => {
    const dir = await copyOf(TINY, [])
    const vocab = (await readFile(join(TINY, 'vocab.txt'), 'utf8')).replace('[SEP]\n', '')
    await writeFile(join(dir, 'vocab.txt'), vocab)
    expect((await refusal(dir)).message).toBe(
      'vocab.txt: the special token [SEP] is not in the vocabulary',
    )
  })

  it('an empty vocab.txt', async () => {
    const dir = await copyOf(TINY, [])
    await writeFile(join(dir, 'vocab.txt'), '')
    expect((await refusal(dir)).message).toBe('vocab.txt: the vocabulary is empty')
  })

  it('a tokenizer_config.json that is not JSON', async () => {
    const dir = await copyOf(TINY, ['vocab.txt'])
    await writeFile(join(dir, 'tokenizer_config.json'), 'do_lower_case = true')
    expect((await refusal(dir)).message).toBe('tokenizer_config.json: not valid JSON')
  })

  it('a folder that does not exist', async () => {
    const dir = await copyOf(TINY, [])
    await rm(dir, { recursive: true })
    expect((await refusal(dir)).code).toBe('bad-input')
  })
})
