// The annotation package file: written as NOTES12 specifies, read back with errors by line.
import { describe, expect, it } from 'vitest'
import {
  matchProject,
  parsePackage,
  writePackage,
  type PackageHeader,
} from '../../../main/services/package-format'

const H1 = '94515581c6aa26948ca869a2e79a4c89846fbab6cab981d84fae1ac022678184'
const H2 = '9fbbe0200a3da037a513743d58ba8f1f71c66fa8b4529d6065354e255f6d0268'
const header: PackageHeader = {
  annotator: '李医生 Dr Li',
  exportedAt: '2026-12-06T15:00:00.000Z',
  project: { kind: 'binary', labels: ['健康', '疾病'] },
}
const head = JSON.stringify({
  type: 'cts-annotation-package',
  version: 1,
  project: header.project,
  annotator: header.annotator,
  exportedAt: header.exportedAt,
  app: 'clinical-text-studio',
})
const row = (fields: Record<string, unknown>) =>
  JSON.stringify({ contentHash: H1, labels: ['疾病'], at: '2026-12-01T08:00:00.000Z', ...fields })

/** The message of the error parsePackage throws for these lines. */
function failure(...lines: string[]): string {
  try {
    parsePackage(lines.join('\n'))
  } catch (e) {
    return (e as Error).message
  }
  throw new Error('parsed')
}

describe('writePackage', () => {
  it('writes the header line and one line per annotation', () => {
    const text = writePackage(header, [
      { contentHash: H1, labels: ['疾病'], at: '2026-12-01T08:00:00.000Z' },
      { contentHash: H2, labels: [], at: '2026-12-02T08:00:00.000Z' },
    ])
    expect(text).toBe(
      `${head}\n` +
        `{"contentHash":"${H1}","labels":["疾病"],"at":"2026-12-01T08:00:00.000Z"}\n` +
        `{"contentHash":"${H2}","labels":[],"at":"2026-12-02T08:00:00.000Z"}\n`,
    )
    expect(parsePackage(text)).toEqual({
      header,
      rows: [
        { line: 2, contentHash: H1, labels: ['疾病'], at: '2026-12-01T08:00:00.000Z' },
        { line: 3, contentHash: H2, labels: [], at: '2026-12-02T08:00:00.000Z' },
      ],
    })
  })

  it('reads a package with a byte-order mark, CRLF line ends and blank lines', () => {
    const pkg = parsePackage(`\uFEFF${head}\r\n\r\n${row({})}\r\n`)
    expect(pkg.rows).toEqual([
      { line: 3, contentHash: H1, labels: ['疾病'], at: '2026-12-01T08:00:00.000Z' },
    ])
  })
})

describe('parsePackage refuses with the line and what to fix', () => {
  it.each([
    ['an empty file', [''], 'The package file is empty.'],
    [
      'an export of texts',
      ['{"id":1,"text":"体检未见异常。"}'],
      'Line 1 is not a Clinical Text Studio annotation package. Choose a file exported with "Export annotation package" (cts package export).',
    ],
    [
      'a newer version',
      [head.replace('"version":1', '"version":2')],
      'This package was written by a newer Clinical Text Studio (package version 2); this version reads version 1. Update Clinical Text Studio to import it.',
    ],
    [
      'a version that is not a number',
      [head.replace('"version":1', '"version":"one"')],
      'Line 1: package version "one" is not one this app reads (it reads version 1).',
    ],
    [
      'no annotator',
      [head.replace('"李医生 Dr Li"', '"  "')],
      'Line 1: the package names no annotator, so its labels cannot be kept as theirs.',
    ],
    [
      'an unknown kind',
      [head.replace('"binary"', '"tree"')],
      'Line 1: the project kind must be binary, multiclass or multilabel (got "tree").',
    ],
  ])('%s', (_name, lines, message) => {
    expect(failure(...lines)).toBe(message)
  })

  it.each([
    [
      'not JSON',
      '{"contentHash":',
      'Line 2 is not valid JSON (each line of a package is one annotation).',
    ],
    ['labels as text', row({ labels: '疾病' }), 'Line 2: labels must be a list of label names.'],
    ['no contentHash', row({ contentHash: undefined }), 'Line 2: contentHash is missing.'],
    [
      'a short contentHash',
      row({ contentHash: 'abc' }),
      'Line 2: contentHash must be the 64-character sha256 of the text, as Clinical Text Studio writes it.',
    ],
    [
      'a label the header does not list',
      row({ labels: ['肺炎'] }),
      'Line 2: label "肺炎" is not one of the package\'s labels (健康, 疾病).',
    ],
    [
      'two labels in a binary package',
      row({ labels: ['健康', '疾病'] }),
      "Line 2: the package's project takes one label per text, but this line has 2 (健康, 疾病).",
    ],
    ['no time', row({ at: undefined }), 'Line 2: at (when it was labelled) is missing.'],
    [
      'a time that is not one',
      row({ at: 'yesterday' }),
      'Line 2: at must be a date and time such as 2026-12-06T15:30:00.000Z (got "yesterday").',
    ],
  ])('a row with %s', (_name, line, first) => {
    expect(failure(head, line)).toBe(`${first} Nothing was imported.`)
  })

  it('names the line a repeated text first appeared on', () => {
    expect(failure(head, row({}), row({ labels: ['健康'] }))).toBe(
      `Line 3: the same text (contentHash ${H1.slice(0, 12)}…) is already on line 2. Nothing was imported.`,
    )
  })
})

describe('matchProject', () => {
  const labels = [
    { id: 7, name: '健康' },
    { id: 8, name: '疾病' },
    { id: 9, name: '其他 other' },
  ]
  it("maps label names to this project's ids, a package may use fewer labels", () => {
    const pkg = parsePackage(`${head.replace('"binary"', '"multiclass"')}\n${row({})}\n`)
    expect(matchProject(pkg, { kind: 'multiclass', labels })).toEqual([
      { line: 2, contentHash: H1, labelIds: [8], at: '2026-12-01T08:00:00.000Z' },
    ])
  })

  it('refuses another kind of project with the reason', () => {
    const pkg = parsePackage(`${head}\n`)
    expect(() => matchProject(pkg, { kind: 'multiclass', labels })).toThrow(
      'This package is for a binary project (one of two labels per text); this project is a multi-class project (one label per text). Nothing was imported.',
    )
    expect(() => matchProject(pkg, { kind: 'multilabel', labels })).toThrow(
      'This package is for a binary project (one of two labels per text); this project is multi-label. Nothing was imported.',
    )
  })
})
