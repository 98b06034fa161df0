// De-identification in the product (issue #15 point 3): the preview before import (exact counts,
// masked examples), a masked import with its 'deid.import' audit entry, a bad pattern that changes
// nothing, and masked exports and reports. The fixture's spans are ones any engine finds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { maskedContexts } from '../../../main/services/deid-service'
import { RunsService } from '../../../main/services/runs-service'
import { contentHash } from '../../../main/store/content-hash'
import { tempServices } from './fixtures'

const FIXTURE = new URL('../../fixtures/deid-import/notes-phi.csv', import.meta.url).pathname
/** Every identifier in the fixture: none may appear anywhere after de-identification. */
const RAW_PHI = [
  '13812345678',
  '13912345678',
  '13987654321',
  'li.wei@example.com',
  'chen.min@example.org',
  '440304198506141231',
]
/** What the engine finds in the fixture, per kind. */
const FIXTURE_COUNTS = {
  NAME: 0,
  PHONE: 3,
  ID_NUMBER: 1,
  MRN: 0,
  INSURANCE: 0,
  EMAIL: 2,
  URL: 0,
  IP: 0,
  DATE: 0,
  AGE: 0,
  ADDRESS: 0,
}
const mapping = { text: 'text', label: 'label', id: 'id' }

let app: ReturnType<typeof tempServices> | undefined
let out: string | undefined
afterEach(() => {
  app?.dispose()
  app = undefined
  if (out) rmSync(out, { recursive: true, force: true })
  out = undefined
})

async function project() {
  app = tempServices()
  return app.handlers['projects/create']({
    name: 'Notes',
    kind: 'binary',
    labels: ['健康', '疾病'],
  })
}

const rows = (sql: string) => app!.workspace.db.prepare(sql).all() as Record<string, unknown>[]

describe('datasets/deid-preview', () => {
  it('counts every kind over every row and shows masked examples only', async () => {
    const p = await project()
    const preview = await app!.handlers['datasets/deid-preview']({
      projectId: p.id,
      file: { path: FIXTURE },
      textColumn: 'text',
    })
    expect(preview.texts).toBe(6)
    expect(preview.textsWithPhi).toBe(5)
    expect(preview.counts).toEqual(FIXTURE_COUNTS)
    // n6 masks to the same text as n1: its example is not repeated.
    expect(preview.examples.map((e) => e.type)).toEqual([
      'PHONE',
      'PHONE',
      'ID_NUMBER',
      'EMAIL',
      'EMAIL',
    ])
    expect(preview.examples[0]).toEqual({ type: 'PHONE', context: '咳嗽三天，联系电话 [PHONE]。' })
    expect(preview.examples).toContainEqual({
      type: 'PHONE',
      context: 'Chest pain at rest, call [PHONE] or write to [EMAIL].',
    })
    // 40 characters of masked text either side of the tag; a cut is marked with "…".
    expect(preview.examples).toContainEqual({
      type: 'EMAIL',
      context: '… pain at rest, call [PHONE] or write to [EMAIL].',
    })
    const json = JSON.stringify(preview)
    for (const raw of RAW_PHI) expect(json).not.toContain(raw)
    // Nothing was imported.
    expect(rows('SELECT id FROM texts')).toEqual([])
  })

  it('masks only the kinds asked for, and works without a project (the CLI)', async () => {
    await project()
    const preview = await app!.handlers['datasets/deid-preview']({
      file: { path: FIXTURE },
      textColumn: 'text',
      options: { types: ['EMAIL'] },
    })
    expect(preview.counts.EMAIL).toBe(2)
    expect(preview.counts.PHONE).toBe(0)
    expect(preview.textsWithPhi).toBe(2)
  })

  it('refuses a column the file lacks and a bad pattern, naming them', async () => {
    const p = await project()
    const file = { path: FIXTURE }
    await expect(
      app!.handlers['datasets/deid-preview']({ projectId: p.id, file, textColumn: 'note' }),
    ).rejects.toThrow(
      'The text column must be a column of the file: "note" is not one. Columns: id, text, label.',
    )
    await expect(
      app!.handlers['datasets/deid-preview']({
        projectId: p.id,
        file,
        textColumn: 'text',
        options: { mrnPatterns: ['MRN(\\d+'] },
      }),
    ).rejects.toThrow(
      /medical record number pattern 1 "MRN\(\\d\+" is not a valid regular expression/,
    )
  })
})

describe('maskedContexts', () => {
  it('cuts the context at whole tags and marks what was cut', () => {
    const text = 'a'.repeat(50) + ' 13812345678 ' + 'b'.repeat(50)
    const spans = [{ type: 'PHONE' as const, start: 51, end: 62 }]
    expect(maskedContexts(text, spans, {}, 5)).toEqual([
      { type: 'PHONE', context: '… aaaa [PHONE] bbbb …' },
    ])
  })
})

describe('datasets/import with deidentify', () => {
  it('stores masked texts (hash of the masked text), judges duplicates on them, audits counts', async () => {
    const p = await project()
    const result = await app!.handlers['datasets/import']({
      projectId: p.id,
      file: { path: FIXTURE },
      mapping,
      deidentify: {},
    })
    // n1 and n6 differ only in the phone number: masked, they are the same text.
    expect(result).toMatchObject({ imported: 5, duplicates: 1, rejected: 0 })
    expect(result.deid).toEqual({
      texts: 6,
      textsWithPhi: 5,
      counts: expect.objectContaining({ PHONE: 3, ID_NUMBER: 1, EMAIL: 2, NAME: 0 }),
    })
    const texts = rows('SELECT text, content_hash FROM texts ORDER BY id')
    expect(texts.map((t) => t.text)).toEqual([
      '咳嗽三天，联系电话 [PHONE]。',
      'Fever resolved; reach the patient at [EMAIL] for follow-up.',
      '身份证号 [ID_NUMBER]，血压正常。',
      'Chest pain at rest, call [PHONE] or write to [EMAIL].',
      'No identifiers in this note; cough improving.',
    ])
    for (const t of texts) expect(t.content_hash).toBe(contentHash(t.text as string))
    const audit = rows("SELECT action, details FROM audit_log WHERE action LIKE '%import'")
    expect(audit.map((a) => a.action)).toEqual(['import', 'deid.import'])
    expect(JSON.parse(audit[1].details as string)).toEqual({
      importId: 1,
      texts: 6,
      textsWithPhi: 5,
      counts: FIXTURE_COUNTS,
      keepYear: false,
      mrnPatterns: 0,
      insurancePatterns: 0,
    })
    // No identifier anywhere in the database's texts or audit log.
    const everything = JSON.stringify([
      rows('SELECT * FROM texts'),
      rows('SELECT * FROM audit_log'),
      rows('SELECT * FROM imports'),
    ])
    for (const raw of RAW_PHI) expect(everything).not.toContain(raw)
  })

  it('keeps the year of a date when asked, and records that choice in the audit entry', async () => {
    const p = await project()
    out = mkdtempSync(join(tmpdir(), 'cts-deid-year-'))
    const file = join(out, 'dates.csv')
    writeFileSync(
      file,
      'text\n复诊日期 2023-05-17，血压正常。\nSeen again on 2024-01-09; mail a.b@example.com.\n',
    )
    await app!.handlers['datasets/import']({
      projectId: p.id,
      file: { path: file },
      mapping: { text: 'text' },
      deidentify: { keepYear: true },
    })
    expect(rows('SELECT text FROM texts ORDER BY id').map((t) => t.text)).toEqual([
      '复诊日期 [DATE] 2023，血压正常。',
      'Seen again on [DATE] 2024; mail [EMAIL].',
    ])
    const audit = rows("SELECT details FROM audit_log WHERE action = 'deid.import'")
    expect(JSON.parse(audit[0].details as string)).toMatchObject({
      keepYear: true,
      counts: { DATE: 2, EMAIL: 1 },
    })
  })

  it('without deidentify stores the texts as they were (no deid.import entry)', async () => {
    const p = await project()
    const result = await app!.handlers['datasets/import']({
      projectId: p.id,
      file: { path: FIXTURE },
      mapping,
    })
    expect(result).toMatchObject({ imported: 6, duplicates: 0 })
    expect(result.deid).toBeUndefined()
    expect(rows("SELECT id FROM audit_log WHERE action = 'deid.import'")).toEqual([])
  })

  it('a bad pattern is the import error and nothing is imported', async () => {
    const p = await project()
    const before = rows('SELECT id, action FROM audit_log ORDER BY id')
    await expect(
      app!.handlers['datasets/import']({
        projectId: p.id,
        file: { path: FIXTURE },
        mapping,
        deidentify: { insurancePatterns: ['[A-Z'] },
      }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(
        /insurance number pattern 1 "\[A-Z" is not a valid regular expression/,
      ),
    })
    expect(rows('SELECT id FROM texts')).toEqual([])
    expect(rows('SELECT id FROM imports')).toEqual([])
    expect(rows('SELECT id, action FROM audit_log ORDER BY id')).toEqual(before)
  })
})

describe('exports/texts and reports/export with deidentify', () => {
  it('exports masked texts and ids; the plain export is unchanged', async () => {
    const p = await project()
    await app!.handlers['datasets/import']({ projectId: p.id, file: { path: FIXTURE }, mapping })
    out = mkdtempSync(join(tmpdir(), 'cts-deid-exp-'))
    const masked = join(out, 'masked.jsonl')
    const plain = join(out, 'plain.jsonl')
    await app!.handlers['exports/texts']({
      projectId: p.id,
      format: 'jsonl',
      path: masked,
      deidentify: {},
    })
    await app!.handlers['exports/texts']({ projectId: p.id, format: 'jsonl', path: plain })
    const maskedText = readFileSync(masked, 'utf8')
    for (const raw of RAW_PHI) expect(maskedText).not.toContain(raw)
    const lines = maskedText
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string })
    expect(lines.map((l) => l.text)).toEqual([
      '咳嗽三天，联系电话 [PHONE]。',
      'Fever resolved; reach the patient at [EMAIL] for follow-up.',
      '身份证号 [ID_NUMBER]，血压正常。',
      'Chest pain at rest, call [PHONE] or write to [EMAIL].',
      'No identifiers in this note; cough improving.',
      '咳嗽三天，联系电话 [PHONE]。',
    ])
    expect(readFileSync(plain, 'utf8')).toContain('13812345678')
    const audit = rows("SELECT details FROM audit_log WHERE action = 'export' ORDER BY id")
    expect(JSON.parse(audit[0].details as string)).toMatchObject({
      rows: 6,
      deidentified: true,
      deidCounts: { PHONE: 3, EMAIL: 2, ID_NUMBER: 1 },
    })
    expect(JSON.parse(audit[1].details as string).deidentified).toBeUndefined()
  })

  it("masks the report's free text (project name, labels)", async () => {
    const p = await project()
    await app!.handlers['projects/rename']({ projectId: p.id, name: 'Follow-up 13812345678' })
    const runs = new RunsService(app!.workspace.repos, app!.workspace.runsDir)
    const runId = await runs.create({
      projectId: p.id,
      modelKind: 'baseline',
      baseModel: 'baseline',
      labels: ['健康', 'mail chen.min@example.org'],
      config: {},
      dataHash: 'abc',
      seed: 1,
    })
    const test = { texts: ['a', 'b', 'c', 'd'], labels: [0, 1, 0, 1] }
    runs.writeArtifact(runId, 'dataset.json', JSON.stringify({ train: test, test }))
    runs.writeArtifact(
      runId,
      'test-predictions.json',
      JSON.stringify({
        split: 'test',
        yTrue: test.labels,
        probs: [
          [0.9, 0.1],
          [0.2, 0.8],
          [0.6, 0.4],
          [0.4, 0.6],
        ],
        textIds: [null, null, null, null],
      }),
    )
    await runs.finish(runId, { status: 'success', provider: 'cpu', trainSeconds: 1 })
    const html = async (deidentify?: object) => {
      const r = await app!.handlers['reports/export']({ runId, format: 'html', deidentify })
      return Buffer.from(r.contentBase64!, 'base64').toString('utf8')
    }
    const masked = await html({})
    expect(masked).toContain('Follow-up [PHONE]')
    expect(masked).toContain('mail [EMAIL]')
    expect(masked).not.toContain('13812345678')
    expect(masked).not.toContain('chen.min@example.org')
    const plain = await html()
    expect(plain).toContain('Follow-up 13812345678')
  })
})
