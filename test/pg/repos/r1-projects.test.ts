// Projects and label sets on both backends, with the same assertions: the outcomes of each
// check-and-write, the DTOs with their counts, the audit entries, and races between two clients.
import { afterAll, describe, expect, it } from 'vitest'
import {
  auditTrail,
  BACKENDS,
  count,
  freshBackendEachTest,
  importRows,
  openBackend,
  staged,
  stopOwnServer,
  type R1Backend,
} from './r1-backends'

afterAll(stopOwnServer)

describe.each(BACKENDS)('projects repository (%s)', (backend) => {
  let b: R1Backend
  freshBackendEachTest(
    () => openBackend(backend),
    (x) => (b = x),
  )

  it('creates projects with their labels, lists them in creation order with counts', async () => {
    expect(
      await b.projects.create({
        name: 'Husten / cough',
        kind: 'multiclass',
        labels: ['ja', 'nein', 'unklar'],
        actor: 'anna',
      }),
    ).toEqual({ projectId: 1 })
    expect(
      await b.projects.create({ name: 'Fièvre', kind: 'binary', labels: [], actor: 'anna' }),
    ).toEqual({
      projectId: 2,
    })
    expect(
      await importRows(b, 1, [
        staged(1, 'Husten seit drei Tagen.', ['ja']),
        staged(2, 'No cough.'),
      ]),
    ).toEqual({
      importId: 1,
      imported: 2,
      duplicates: 0,
    })
    const list = await b.projects.list()
    expect(list.map((p) => [p.id, p.name, p.kind, p.textCount, p.labelledCount])).toEqual([
      [1, 'Husten / cough', 'multiclass', 2, 1],
      [2, 'Fièvre', 'binary', 0, 0],
    ])
    expect(list[0]!.labels).toEqual([
      { id: 1, name: 'ja', position: 1, color: list[0]!.labels[0]!.color },
      { id: 2, name: 'nein', position: 2, color: list[0]!.labels[1]!.color },
      { id: 3, name: 'unklar', position: 3, color: list[0]!.labels[2]!.color },
    ])
    expect(new Set(list[0]!.labels.map((l) => l.color)).size).toBe(3)
    expect(list[1]!.labels).toEqual([])
    expect(list[0]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(await b.projects.get(1)).toEqual(list[0])
    expect(await b.projects.get(9)).toBeUndefined()
    expect(await b.projects.find(2)).toEqual({
      id: 2,
      name: 'Fièvre',
      kind: 'binary',
      createdAt: list[1]!.createdAt,
    })
    expect(await b.projects.find(9)).toBeUndefined()
    expect(await b.projects.labels(1)).toEqual(list[0]!.labels)
    expect(await b.projects.labels(9)).toEqual([])
    expect((await auditTrail(b))[0]).toEqual({
      action: 'project.create',
      details: { name: 'Husten / cough', kind: 'multiclass', labels: ['ja', 'nein', 'unklar'] },
    })
  })

  it('answers name-taken, unchanged and not-found without writing', async () => {
    await b.projects.create({ name: 'Diabète', kind: 'binary', labels: ['oui'], actor: 't' })
    await b.projects.create({ name: 'Asthma', kind: 'binary', labels: [], actor: 't' })
    expect(
      await b.projects.create({ name: 'Diabète', kind: 'multiclass', labels: ['x'], actor: 't' }),
    ).toBe('name-taken')
    expect(await b.projects.rename({ projectId: 1, name: 'Diabète', actor: 't' })).toBe('unchanged')
    expect(await b.projects.rename({ projectId: 1, name: 'Asthma', actor: 't' })).toBe('name-taken')
    expect(await b.projects.rename({ projectId: 9, name: 'B', actor: 't' })).toBe('not-found')
    expect(await count(b, 'projects')).toBe(2)
    expect(await count(b, 'labels')).toBe(1)
    expect((await auditTrail(b)).map((e) => e.action)).toEqual(['project.create', 'project.create'])
    // Names are compared exactly: another case is another name, on both backends.
    expect(await b.projects.rename({ projectId: 1, name: 'DIABÈTE', actor: 't' })).toBe('renamed')
    expect((await b.projects.find(1))?.name).toBe('DIABÈTE')
    expect((await auditTrail(b)).at(-1)).toEqual({
      action: 'project.rename',
      details: { from: 'Diabète', to: 'DIABÈTE' },
    })
  })

  it('adds a label or deletes a project only if what the caller read still holds', async () => {
    await b.projects.create({ name: 'A', kind: 'multilabel', labels: ['x'], actor: 't' })
    const stale = { projectId: 1, name: 'Schmerz / pain', expectedCount: 0, actor: 't' }
    expect(await b.projects.addLabel(stale)).toBe('changed')
    expect(await b.projects.addLabel({ ...stale, name: 'x', expectedCount: 1 })).toBe('changed')
    expect(await b.projects.addLabel({ ...stale, projectId: 9, expectedCount: 0 })).toBe('changed')
    expect(await b.projects.addLabel({ ...stale, expectedCount: 1 })).toEqual({ labelId: 2 })
    expect((await b.projects.labels(1)).map((l) => [l.name, l.position])).toEqual([
      ['x', 1],
      ['Schmerz / pain', 2],
    ])
    expect((await auditTrail(b)).at(-1)).toEqual({
      action: 'label.add',
      details: { labelId: 2, name: 'Schmerz / pain' },
    })
    await importRows(b, 1, [staged(1, 'Kopfschmerz.', ['x']), staged(2, 'Headache.')])
    expect(await b.projects.delete({ projectId: 1, name: 'B', actor: 't' })).toBe('changed')
    expect(await b.projects.delete({ projectId: 9, name: 'A', actor: 't' })).toBe('changed')
    expect(await count(b, 'projects')).toBe(1)
    expect(await b.projects.delete({ projectId: 1, name: 'A', actor: 't' })).toBe('deleted')
    // Everything in the project goes with it; the audit log keeps the entry.
    for (const table of [
      'projects',
      'labels',
      'texts',
      'imports',
      'annotation_labels',
      'annotator_labels',
    ])
      expect(await count(b, table)).toBe(0)
    expect((await auditTrail(b)).at(-1)).toEqual({
      action: 'project.delete',
      details: { name: 'A', texts: 2 },
    })
    expect(await b.projects.list()).toEqual([])
  })

  it('lets exactly one of two clients racing for one name or one label set win', async () => {
    const created = await Promise.all([
      b.projects.create({
        name: 'Schlaganfall / stroke',
        kind: 'binary',
        labels: ['ja'],
        actor: 'a',
      }),
      b.projects.create({
        name: 'Schlaganfall / stroke',
        kind: 'binary',
        labels: ['ja'],
        actor: 'b',
      }),
    ])
    expect(created.filter((r) => r === 'name-taken')).toHaveLength(1)
    const projectId = (created.find((r) => r !== 'name-taken') as { projectId: number }).projectId
    const added = await Promise.all(
      ['nein', 'unklar'].map((name) =>
        b.projects.addLabel({ projectId, name, expectedCount: 1, actor: 't' }),
      ),
    )
    expect(added.filter((r) => r === 'changed')).toHaveLength(1)
    expect((await b.projects.labels(projectId)).map((l) => l.position)).toEqual([1, 2])
    expect(await count(b, 'projects')).toBe(1)
    expect((await auditTrail(b)).map((e) => e.action)).toEqual(['project.create', 'label.add'])
    if (backend === 'postgres') {
      // The loser of a name race on PostgreSQL is told by this constraint's violation.
      expect(
        await b.all("SELECT conname FROM pg_constraint WHERE conname = 'projects_name_key'"),
      ).toEqual([{ conname: 'projects_name_key' }])
    }
  })
})
