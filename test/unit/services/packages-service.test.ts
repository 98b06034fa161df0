// packages/export and packages/import: one annotator's rows carried from workspace A to workspace B
// (the same texts imported in both), merged by content hash; bad packages change nothing.
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { SourceRecord } from '../../../main/data/types'
import { writeAnnotatorRow } from '../../../main/store/annotator-labels-repo'
import { tempServices, type TempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

const fixture = (name: string) => new URL(`../../fixtures/packages/${name}`, import.meta.url)
const notes = (): SourceRecord[] =>
  (JSON.parse(readFileSync(fixture('notes.json'), 'utf8')) as { records: SourceRecord[] }).records
/** A fixture package as the browser hands it over. */
const packageFile = (name: string) => ({
  name,
  contentBase64: readFileSync(fixture(name)).toString('base64'),
})

const WANG = '王医生 Dr Wang'
const HASH_FEVER = '94515581c6aa26948ca869a2e79a4c89846fbab6cab981d84fae1ac022678184'
const HASH_CHEST = '9fbbe0200a3da037a513743d58ba8f1f71c66fa8b4529d6065354e255f6d0268'
const HASH_NORMAL_ZH = '567b3486282e56323f9baa637d4f5c2dca039fde19ae64d24256d6e918bede2c'
const HASH_ELSEWHERE = '7423f2156bef1f4ceea3f55ce54748cbbbf043ccd9b32864314c53b00ebda11c'

const open: TempServices[] = []
afterEach(() => {
  for (const app of open.splice(0)) app.dispose()
})

/** A workspace with the binary project "Notes" (健康/疾病) holding the five fixture notes. */
async function workspace() {
  const app = tempServices({ sourceReader: new ArrayReader(notes) })
  open.push(app)
  const project = await app.handlers['projects/create']({ name: 'Notes', kind: 'binary' })
  await app.handlers['datasets/import']({
    projectId: project.id,
    file: anyFile,
    mapping: textMapping,
  })
  const label = Object.fromEntries(project.labels.map((l) => [l.name, l.id]))
  const texts = app.workspace.db
    .prepare('SELECT id, content_hash FROM texts WHERE project_id = ? ORDER BY id')
    .all(project.id) as { id: number; content_hash: string }[]
  const textId = (hash: string) => texts.find((t) => t.content_hash === hash)!.id
  return { app, projectId: project.id, label, textId }
}

/** Every annotator's rows, by content hash and label NAME (ids may differ between workspaces). */
function rowsOf(
  app: TempServices,
): { hash: string; annotator: string; labels: string[]; at: string }[] {
  const rows = app.workspace.db
    .prepare(
      `SELECT t.content_hash AS hash, al.annotator, al.label_ids, al.at
         FROM annotator_labels al JOIN texts t ON t.id = al.text_id
        ORDER BY t.content_hash, al.annotator`,
    )
    .all() as { hash: string; annotator: string; label_ids: string; at: string }[]
  const names = new Map(
    (
      app.workspace.db.prepare('SELECT id, name FROM labels').all() as {
        id: number
        name: string
      }[]
    ).map((l) => [l.id, l.name]),
  )
  return rows.map((r) => ({
    hash: r.hash,
    annotator: r.annotator,
    labels: (JSON.parse(r.label_ids) as number[]).map((id) => names.get(id)!),
    at: r.at,
  }))
}

/** The gold label names of a text. */
function gold(app: TempServices, textId: number): string[] {
  return (
    app.workspace.db
      .prepare(
        `SELECT l.name FROM annotation_labels al JOIN labels l ON l.id = al.label_id
          WHERE al.text_id = ? ORDER BY l.position`,
      )
      .all(textId) as { name: string }[]
  ).map((r) => r.name)
}

function packageAudits(app: TempServices): Record<string, unknown>[] {
  return (
    app.workspace.db
      .prepare("SELECT details FROM audit_log WHERE action = 'package.import' ORDER BY id")
      .all() as { details: string }[]
  ).map((r) => JSON.parse(r.details) as Record<string, unknown>)
}

function recordedPackages(app: TempServices): number {
  return (
    app.workspace.db.prepare('SELECT COUNT(*) AS n FROM annotation_packages').get() as {
      n: number
    }
  ).n
}

describe('packages/export then packages/import', () => {
  it("reproduces the annotator's rows exactly in another workspace", async () => {
    const a = await workspace()
    const set = (hash: string, name: string | null) =>
      a.app.handlers['labels/set']({
        textId: a.textId(hash),
        labelIds: name ? [a.label[name]] : [],
        annotator: 'Dr Li',
      })
    await set(HASH_FEVER, '疾病')
    await set(HASH_CHEST, '疾病')
    await set(HASH_NORMAL_ZH, '健康')
    // Someone else's labels in A stay in A.
    await a.app.handlers['labels/set']({
      textId: a.textId(HASH_FEVER),
      labelIds: [a.label['健康']],
      annotator: 'Dr Zhao',
    })

    const exported = await a.app.handlers['packages/export']({
      projectId: a.projectId,
      annotator: 'Dr Li',
    })
    expect(exported.rows).toBe(3)
    expect(exported.fileName).toBe('Notes-Dr Li-annotations.jsonl')
    const lines = Buffer.from(exported.contentBase64!, 'base64').toString('utf8').split('\n')
    expect(lines).toHaveLength(5) // header, three rows, the final newline
    expect(JSON.parse(lines[0])).toEqual({
      type: 'cts-annotation-package',
      version: 1,
      project: { kind: 'binary', labels: ['健康', '疾病'] },
      annotator: 'Dr Li',
      exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      app: 'clinical-text-studio',
    })
    const liRowsA = rowsOf(a.app).filter((r) => r.annotator === 'Dr Li')
    expect(lines.slice(1, 4).map((l) => JSON.parse(l))).toEqual(
      [HASH_FEVER, HASH_CHEST, HASH_NORMAL_ZH].map((hash) => {
        const row = liRowsA.find((r) => r.hash === hash)!
        return { contentHash: hash, labels: row.labels, at: row.at }
      }),
    )

    const b = await workspace()
    const result = await b.app.handlers['packages/import']({
      projectId: b.projectId,
      file: { name: exported.fileName, contentBase64: exported.contentBase64! },
    })
    expect(result).toEqual({
      annotator: 'Dr Li',
      rows: 3,
      merged: 3,
      unchanged: 0,
      conflicts: 0,
      missing: [],
      alreadyImported: false,
    })
    expect(rowsOf(b.app)).toEqual(liRowsA)
    // With one annotator, their labels are the gold labels.
    expect(gold(b.app, b.textId(HASH_FEVER))).toEqual(['疾病'])
    expect(gold(b.app, b.textId(HASH_NORMAL_ZH))).toEqual(['健康'])
    const audits = packageAudits(b.app)
    expect(audits).toEqual([
      {
        annotator: 'Dr Li',
        fileName: 'Notes-Dr Li-annotations.jsonl',
        packageHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        rows: 3,
        merged: 3,
        unchanged: 0,
        conflicts: 0,
        missing: 0,
      },
    ])
  })

  it('changes nothing when the same package is imported twice', async () => {
    const b = await workspace()
    const first = await b.app.handlers['packages/import']({
      projectId: b.projectId,
      file: packageFile('dr-wang.jsonl'),
    })
    const before = rowsOf(b.app)
    const goldBefore = gold(b.app, b.textId(HASH_FEVER))
    const second = await b.app.handlers['packages/import']({
      projectId: b.projectId,
      file: packageFile('dr-wang.jsonl'),
    })
    expect(second).toEqual({ ...first, alreadyImported: true })
    expect(rowsOf(b.app)).toEqual(before)
    expect(gold(b.app, b.textId(HASH_FEVER))).toEqual(goldBefore)
    expect(recordedPackages(b.app)).toBe(1)
    expect(packageAudits(b.app)).toHaveLength(1)
  })

  it('reports a text missing here by its line and merges the rest', async () => {
    const b = await workspace()
    const result = await b.app.handlers['packages/import']({
      projectId: b.projectId,
      file: packageFile('dr-wang.jsonl'),
    })
    expect(result).toEqual({
      annotator: WANG,
      rows: 4,
      merged: 3,
      unchanged: 0,
      conflicts: 0,
      missing: [{ row: 4, contentHash: HASH_ELSEWHERE }],
      alreadyImported: false,
    })
    expect(rowsOf(b.app)).toEqual(
      [
        { hash: HASH_FEVER, annotator: WANG, labels: ['疾病'], at: '2020-01-02T09:00:00.000Z' },
        { hash: HASH_CHEST, annotator: WANG, labels: ['疾病'], at: '2020-01-02T09:05:00.000Z' },
        { hash: HASH_NORMAL_ZH, annotator: WANG, labels: ['健康'], at: '2020-01-02T09:15:00.000Z' },
      ].sort((x, y) => x.hash.localeCompare(y.hash)),
    )
  })

  it("keeps a conflicting label as the package annotator's own, beside the local one", async () => {
    const b = await workspace()
    await b.app.handlers['labels/set']({
      textId: b.textId(HASH_FEVER),
      labelIds: [b.label['健康']],
      annotator: 'Dr Li',
    })
    const result = await b.app.handlers['packages/import']({
      projectId: b.projectId,
      file: packageFile('dr-wang.jsonl'),
    })
    expect(result.conflicts).toBe(1)
    expect(result.merged).toBe(3)
    const onFever = rowsOf(b.app)
      .filter((r) => r.hash === HASH_FEVER)
      .map((r) => [r.annotator, r.labels])
    expect(onFever).toEqual([
      ['Dr Li', ['健康']],
      [WANG, ['疾病']],
    ])
    // Two annotators disagree on a binary text, nobody adjudicated: excluded (the default policy).
    expect(gold(b.app, b.textId(HASH_FEVER))).toEqual([])
  })

  it("keeps the annotator's newer row here and replaces an older one", async () => {
    const b = await workspace()
    const db = b.app.workspace.db
    // Here, Dr Wang already labelled two texts: one after the package's time, one before.
    writeAnnotatorRow(db, {
      projectId: b.projectId,
      textId: b.textId(HASH_FEVER),
      annotator: WANG,
      labelIds: [b.label['健康']],
      origin: 'local',
      at: '2020-03-01T00:00:00.000Z',
    })
    writeAnnotatorRow(db, {
      projectId: b.projectId,
      textId: b.textId(HASH_CHEST),
      annotator: WANG,
      labelIds: [b.label['健康']],
      origin: 'local',
      at: '2019-03-01T00:00:00.000Z',
    })
    const result = await b.app.handlers['packages/import']({
      projectId: b.projectId,
      file: packageFile('dr-wang.jsonl'),
    })
    expect([result.merged, result.unchanged, result.conflicts]).toEqual([2, 1, 0])
    const wang = rowsOf(b.app).filter((r) => r.annotator === WANG)
    expect(wang.find((r) => r.hash === HASH_FEVER)).toMatchObject({
      labels: ['健康'],
      at: '2020-03-01T00:00:00.000Z',
    })
    expect(wang.find((r) => r.hash === HASH_CHEST)).toMatchObject({
      labels: ['疾病'],
      at: '2020-01-02T09:05:00.000Z',
    })
  })
})

describe('packages/import refuses a package it cannot merge, and nothing changes', () => {
  async function refused(file: string) {
    const b = await workspace()
    await b.app.handlers['labels/set']({
      textId: b.textId(HASH_FEVER),
      labelIds: [b.label['健康']],
      annotator: 'Dr Li',
    })
    const before = rowsOf(b.app)
    const error = await b.app.handlers['packages/import']({
      projectId: b.projectId,
      file: packageFile(file),
    }).then(
      () => null,
      (e: { code: string; message: string; details?: unknown }) => e,
    )
    expect(rowsOf(b.app)).toEqual(before)
    expect(recordedPackages(b.app)).toBe(0)
    expect(packageAudits(b.app)).toEqual([])
    return error
  }

  it('refuses a package for a multi-label project with the reason', async () => {
    const error = await refused('multilabel.jsonl')
    expect(error?.code).toBe('bad-input')
    expect(error?.message).toBe(
      'This package is for a multi-label project; this project takes one label per text. Nothing was imported.',
    )
  })

  it("refuses a package whose label is not in this project's labels", async () => {
    const error = await refused('unknown-label.jsonl')
    expect(error?.message).toBe(
      'Label "肺炎" in this package is not in this project\'s labels (健康, 疾病). Nothing was imported.',
    )
  })

  it('reports malformed lines by number', async () => {
    const error = await refused('malformed.jsonl')
    expect(error?.code).toBe('bad-input')
    expect(error?.message).toBe(
      'Line 3: labels must be a list of label names. 1 more line has problems too. Nothing was imported.',
    )
    expect(error?.details).toEqual({
      lines: ['Line 3: labels must be a list of label names.', 'Line 4: contentHash is missing.'],
    })
  })

  it('refuses a file that is not a package', async () => {
    const error = await refused('not-a-package.jsonl')
    expect(error?.message).toMatch(/^Line 1 is not a Clinical Text Studio annotation package\. /)
  })
})

describe('packages/export', () => {
  it("exports the current profile's labels when no annotator is named, and audits it", async () => {
    const a = await workspace()
    await a.app.workspace.repos.annotators.use('李医生 Dr Li', 'tester')
    await a.app.handlers['labels/set']({
      textId: a.textId(HASH_NORMAL_ZH),
      labelIds: [a.label['健康']],
      annotator: '李医生 Dr Li',
    })
    const exported = await a.app.handlers['packages/export']({ projectId: a.projectId })
    expect([exported.rows, exported.fileName]).toEqual([1, 'Notes-李医生 Dr Li-annotations.jsonl'])
    const [header] = Buffer.from(exported.contentBase64!, 'base64').toString('utf8').split('\n')
    expect(JSON.parse(header).annotator).toBe('李医生 Dr Li')
    const audit = a.app.workspace.db
      .prepare("SELECT actor, details FROM audit_log WHERE action = 'package.export'")
      .all() as { actor: string; details: string }[]
    expect(audit.map((r) => [r.actor, JSON.parse(r.details)])).toEqual([
      [
        '李医生 Dr Li',
        { annotator: '李医生 Dr Li', rows: 1, fileName: 'Notes-李医生 Dr Li-annotations.jsonl' },
      ],
    ])
  })

  it('writes the package to a path on the desktop, and refuses an annotator without labels', async () => {
    const a = await workspace()
    await a.app.handlers['labels/set']({
      textId: a.textId(HASH_CHEST),
      labelIds: [a.label['疾病']],
      annotator: 'Dr Li',
    })
    const path = `${a.app.home}/li.jsonl`
    expect(
      await a.app.handlers['packages/export']({ projectId: a.projectId, annotator: 'Dr Li', path }),
    ).toEqual({ rows: 1, fileName: 'li.jsonl', path })
    const [, row] = readFileSync(path, 'utf8').split('\n')
    expect(JSON.parse(row)).toMatchObject({ contentHash: HASH_CHEST, labels: ['疾病'] })

    await expect(
      a.app.handlers['packages/export']({ projectId: a.projectId, annotator: 'Nobody' }),
    ).rejects.toMatchObject({
      code: 'not-found',
      message:
        '"Nobody" has labelled no texts in "Notes", so there is nothing to export. Choose the annotator whose labels to export.',
    })
  })
})
