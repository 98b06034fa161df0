// Projects through the contract handlers: templates, names, label sets, deletion, audit.
import { afterEach, describe, expect, it } from 'vitest'
import { tempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

let app: ReturnType<typeof tempServices>
afterEach(() => app?.dispose())

const auditActions = () =>
  (
    app.workspace.db.prepare('SELECT action FROM audit_log ORDER BY id').all() as {
      action: string
    }[]
  ).map((r) => r.action)

describe('projects', () => {
  it('creates a binary project with 健康 then 疾病', async () => {
    app = tempServices()
    const p = await app.handlers['projects/create']({ name: '  Ward 3 notes ', kind: 'binary' })
    expect(p).toMatchObject({
      id: 1,
      name: 'Ward 3 notes',
      kind: 'binary',
      textCount: 0,
      labelledCount: 0,
    })
    expect(p.labels.map((l) => [l.name, l.position])).toEqual([
      ['健康', 1],
      ['疾病', 2],
    ])
    expect(await app.handlers['projects/list']({})).toEqual([p])
    expect(auditActions()).toEqual(['project.create'])
  })

  it('multi-class and multi-label projects start from the given labels', async () => {
    app = tempServices()
    const mc = await app.handlers['projects/create']({
      name: 'triage',
      kind: 'multiclass',
      labels: ['low', 'mid', 'high'],
    })
    expect(mc.labels.map((l) => l.name)).toEqual(['low', 'mid', 'high'])
    const ml = await app.handlers['projects/create']({ name: 'symptoms', kind: 'multilabel' })
    expect(ml.labels).toEqual([])
    const added = await app.handlers['projects/addLabel']({ projectId: ml.id, name: '发热' })
    expect(added.labels.map((l) => [l.name, l.position])).toEqual([['发热', 1]])
  })

  it('refuses duplicate names, a third binary label and a repeated label', async () => {
    app = tempServices()
    const p = await app.handlers['projects/create']({ name: 'A', kind: 'binary' })
    await expect(
      app.handlers['projects/create']({ name: 'A', kind: 'multiclass' }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: 'A project named "A" already exists. Choose another name.',
    })
    await expect(
      app.handlers['projects/addLabel']({ projectId: p.id, name: 'other' }),
    ).rejects.toMatchObject({
      code: 'bad-input',
    })
    await expect(
      app.handlers['projects/create']({ name: 'B', kind: 'multiclass', labels: ['x', 'x'] }),
    ).rejects.toMatchObject({ code: 'bad-input' })
    await expect(
      app.handlers['projects/create']({ name: '', kind: 'binary' }),
    ).rejects.toMatchObject({
      code: 'bad-input',
    })
    expect((await app.handlers['projects/list']({})).map((x) => x.name)).toEqual(['A'])
  })

  it('renames, and deletes only when the name is typed exactly', async () => {
    app = tempServices()
    const p = await app.handlers['projects/create']({ name: 'old', kind: 'binary' })
    expect((await app.handlers['projects/rename']({ projectId: p.id, name: 'new' })).name).toBe(
      'new',
    )
    await expect(
      app.handlers['projects/delete']({ projectId: p.id, confirmName: 'old' }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: 'To delete the project, type its name exactly: "new".',
    })
    expect(await app.handlers['projects/delete']({ projectId: p.id, confirmName: 'new' })).toEqual({
      deleted: true,
    })
    expect(await app.handlers['projects/list']({})).toEqual([])
    await expect(app.handlers['projects/get']({ projectId: p.id })).rejects.toMatchObject({
      code: 'not-found',
    })
    expect(auditActions()).toEqual(['project.create', 'project.rename', 'project.delete'])
  })

  it('deleting a project removes its texts, labels and history but keeps the audit trail', async () => {
    app = tempServices({
      sourceReader: new ArrayReader(() => [
        { row: 2, text: '甲', label: '疾病' },
        { row: 3, text: 'b' },
      ]),
    })
    const keep = await app.handlers['projects/create']({ name: 'keep', kind: 'binary' })
    const gone = await app.handlers['projects/create']({ name: 'gone', kind: 'binary' })
    for (const p of [keep, gone]) {
      await app.handlers['datasets/import']({
        projectId: p.id,
        file: anyFile,
        mapping: textMapping,
      })
    }
    await app.handlers['labels/set']({ textId: 4, labelIds: [gone.labels[0].id] })
    await app.handlers['labels/skip']({ textId: 3 })
    await app.handlers['projects/delete']({ projectId: gone.id, confirmName: 'gone' })
    const db = app.workspace.db
    const count = (table: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
    expect(
      ['texts', 'labels', 'annotation_labels', 'annotations', 'annotation_history', 'imports'].map(
        count,
      ),
    ).toEqual([2, 2, 1, 0, 0, 1])
    expect((await app.handlers['projects/get']({ projectId: keep.id })).labelledCount).toBe(1)
    const audit = db
      .prepare("SELECT project_id, details FROM audit_log WHERE action = 'project.delete'")
      .get() as { project_id: number; details: string }
    expect([audit.project_id, JSON.parse(audit.details)]).toEqual([
      gone.id,
      { name: 'gone', texts: 2 },
    ])
  })
})
