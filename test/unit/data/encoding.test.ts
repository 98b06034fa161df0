// Encoding detection on short samples (where chardet alone guesses wrong) and the override path.
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { detectEncoding } from '../../../main/data/detect-encoding'
import { sourceReader } from '../../../main/data/open-source'
import { collect, failure, fixture } from './helpers'

describe('encoding detection', () => {
  it.each([
    ['頭痛三天，伴發熱', 'big5'],
    ['血壓正常', 'big5'],
    ['咳嗽兩週，夜間加重', 'big5'],
    ['头痛三天', 'gb18030'],
    ['血压正常，睡眠良好', 'gb18030'],
    ['頭痛三天，伴發熱', 'gb18030'],
  ])('tells "%s" in %s from the other CJK codec', (text, encoding) => {
    const bytes = iconv.encode(`text\n${text}\n`, encoding)
    expect(detectEncoding(bytes, true).encoding).toBe(encoding)
  })

  it.each([
    [Buffer.from('\uFEFFtext\n头痛\n', 'utf8'), 'utf-8'],
    [Buffer.from('text\n头痛\n', 'utf8'), 'utf-8'],
    [
      Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('text\n头痛\n', 'utf-16le')]),
      'utf-16le',
    ],
    [
      Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('text\n头痛\n', 'utf-16be')]),
      'utf-16be',
    ],
    [iconv.encode('text,label\nChest pain,疾病\n', 'utf-16le'), 'utf-16le'],
    [iconv.encode('text,label\nChest pain,疾病\n', 'utf-16be'), 'utf-16be'],
  ])('detects BOMs and the UTF-16 zero-byte pattern (%#)', (bytes, encoding) => {
    expect(detectEncoding(bytes, true).encoding).toBe(encoding)
  })

  it('does not mistake a UTF-8 character cut at the end of the sample for another encoding', () => {
    const bytes = Buffer.from('text\n头痛三天', 'utf8')
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1), false).encoding).toBe('utf-8')
  })
})

describe('encoding override', () => {
  it('decodes with the override and still reports what was detected', async () => {
    const preview = await sourceReader.preview(fixture('utf8.csv'), { encoding: 'latin1' })
    expect(preview.encoding).toBe('latin1')
    expect(preview.detectedEncoding).toBe('utf-8')
    const records = await collect(fixture('utf8.csv'), { text: 'text' }, { encoding: 'latin1' })
    expect(records[0]).toEqual({
      row: 2,
      text: Buffer.from('头痛三天，伴发热', 'utf8').toString('latin1'),
    })
  })

  it('accepts names in any case, and "auto" means detect', async () => {
    const upper = await sourceReader.preview(fixture('gb18030.csv'), { encoding: 'GB18030' })
    expect(upper.encoding).toBe('gb18030')
    const auto = await sourceReader.preview(fixture('big5.csv'), { encoding: 'auto' })
    expect(auto.encoding).toBe('big5')
  })

  it('lets the user correct a wrong guess: Big5 bytes read as gb18030 differ, as big5 match', async () => {
    const asGb = await collect(fixture('big5.csv'), { text: 'text' }, { encoding: 'gb18030' })
    expect(asGb[0]).not.toEqual({ row: 2, text: '頭痛三天，伴發熱' })
    const asBig5 = await collect(fixture('big5.csv'), { text: 'text' }, { encoding: 'big5' })
    expect(asBig5[0]).toEqual({ row: 2, text: '頭痛三天，伴發熱' })
  })

  it('refuses an encoding name it does not know', async () => {
    expect(
      await failure(sourceReader.preview(fixture('utf8.csv'), { encoding: 'klingon-8' })),
    ).toEqual({
      code: 'bad-input',
      message: 'Unknown encoding "klingon-8". Try utf-8, gb18030, big5 or utf-16le.',
    })
  })
})
