// Fuzzing the importers (issue #15 point 7): random bytes, mutated valid files and token soups in
// every format (CSV, TSV, JSON, JSONL, TXT, XLSX) through the SourceReader the app uses: preview,
// then every record. Each input ends in a result or a CtsError with a message, within 5 s.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import JSZip from 'jszip'
import { describe, expect, it } from 'vitest'
import { sourceReader } from '../../main/data/open-source'
import type { SourceInput } from '../../main/data/types'
import { ctsErrorOrResult, fuzz, mutated, randomBytes } from './harness'

const enc = new TextEncoder()
const RUNS = 250

/** Preview, then read every record with the suggested mapping (or the first column). */
async function readAll(input: SourceInput): Promise<void> {
  const preview = await sourceReader.preview(input, {})
  const mapping = preview.suggestedMapping.text
    ? preview.suggestedMapping
    : { text: preview.columns[0] ?? 'text' }
  let n = 0
  for await (const record of sourceReader.records(input, {}, mapping)) {
    expect(record.row).toBeGreaterThan(0)
    if ('error' in record) expect(record.error.length).toBeGreaterThan(0)
    if (++n > 100_000) throw new Error('more records than bytes')
  }
}

const VALID: Record<string, string> = {
  csv: 'text,label,split\n"胸痛, 气短",疾病,train\nroutine checkup normal,健康,test\n"say ""ok""",健康,dev\n',
  tsv: 'text\tlabel\n胸痛伴气短\t疾病\nroutine checkup\t健康\n',
  json: '[{"text":"胸痛伴气短","label":"疾病"},{"text":"routine checkup","label":"健康","id":"7"}]',
  jsonl: '{"text":"胸痛伴气短","label":"疾病"}\n{"text":"routine checkup","label":"健康"}\n',
  txt: '胸痛伴气短\nroutine checkup normal\n\n反复头痛\n',
}

/** Pieces that matter to the parsers: quotes, separators, brackets, BOMs, odd code points. */
const TOKENS = [
  '"',
  '""',
  ',',
  ';',
  '|',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '{',
  '}',
  '[',
  ']',
  ':',
  '\\',
  '\\u00',
  'text',
  'label',
  'split',
  'id',
  '"text"',
  '"label"',
  '胸痛',
  'routine',
  'train',
  'test',
  'dev',
  '\ufeff',
  '\u0000',
  '\ud800',
  'null',
  'true',
  '1e999',
  '-0',
  '=cmd()',
  ' ',
  '　',
  '💊',
  'x'.repeat(300),
]
const tokenSoup = fc
  .array(fc.constantFrom(...TOKENS), { maxLength: 80 })
  .map((parts) => enc.encode(parts.join('')))

const xlsx = new Uint8Array(readFileSync('test/fixtures/import/two-sheets.xlsx'))

function bytesFor(format: string): fc.Arbitrary<Uint8Array> {
  if (format === 'xlsx')
    return fc.oneof(
      mutated(xlsx),
      randomBytes.map((b) => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...b])),
    )
  return fc.oneof(mutated(enc.encode(VALID[format])), tokenSoup, randomBytes)
}

/** The workbook's XML parts a reader looks at, each to be damaged inside an intact zip. */
const XML_PARTS = [
  'xl/worksheets/sheet1.xml',
  'xl/sharedStrings.xml',
  'xl/workbook.xml',
  'xl/_rels/workbook.xml.rels',
  '[Content_Types].xml',
]
const XML_TOKENS = [
  '<',
  '>',
  '</',
  '/>',
  '"',
  '=',
  '<c r="A1" t="s">',
  '<v>',
  '</v>',
  '<v>999</v>',
  '<row r="0">',
  '<row r="1048577">',
  '<si><t>',
  '</t></si>',
  '<sheet name="" r:id="rId9"/>',
  '&amp;',
  '&#0;',
  '&bogus;',
  '胸痛',
  ' ',
  'xmlns=""',
]
const damagedPart = fc.record({
  part: fc.constantFrom(...XML_PARTS),
  edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.constantFrom(...XML_TOKENS)), {
    minLength: 1,
    maxLength: 6,
  }),
})

/** The fixture workbook with one XML part edited: cuts and inserted XML pieces. */
async function workbookWith(part: string, edits: [number, number, string][]): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(xlsx)
  let xml = await zip.file(part)!.async('string')
  for (const [at, cut, piece] of edits) {
    const i = at % (xml.length + 1)
    xml = xml.slice(0, i) + piece + xml.slice(i + cut)
  }
  zip.file(part, xml)
  return zip.generateAsync({ type: 'uint8array' })
}

describe('importers under fuzzing', () => {
  it('xlsx with damaged XML inside an intact zip: a result or a CtsError', async () => {
    const count = await fuzz('importer xlsx-xml', damagedPart, RUNS, async ({ part, edits }) => {
      const bytes = await workbookWith(part, edits)
      return ctsErrorOrResult(() => readAll({ name: 'fuzz.xlsx', bytes }))
    })
    expect(count.inputs).toBe(RUNS)
  })

  for (const format of ['csv', 'tsv', 'json', 'jsonl', 'txt', 'xlsx']) {
    it(`${format}: a result or a CtsError for every input, never a crash or a hang`, async () => {
      const count = await fuzz(`importer ${format}`, bytesFor(format), RUNS, (bytes) =>
        ctsErrorOrResult(() => readAll({ name: `fuzz.${format}`, bytes })),
      )
      expect(count.inputs).toBe(RUNS)
    })
  }
})
