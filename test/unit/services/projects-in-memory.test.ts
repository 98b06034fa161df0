// The projects service over a second, non-SQLite ProjectsRepository: the service depends only on
// the repository interface, so a server database can be added without touching services.
import { describe, expect, it } from 'vitest'
import { ProjectsService } from '../../../main/services/projects-service'
import { InMemoryProjectsRepository } from './in-memory-projects'

function service() {
  const projects = new InMemoryProjectsRepository()
  return { projects, service: new ProjectsService({ projects }, 'tester') }
}

describe('projects service over an in-memory repository', () => {
  it('creates, renames, lists, adds a label and deletes, auditing each step', async () => {
    const { projects, service: s } = service()
    const p = await s.create({ name: ' Ward 3 ', kind: 'binary' })
    expect(p).toMatchObject({ id: 1, name: 'Ward 3', kind: 'binary', textCount: 0 })
    expect(p.labels.map((l) => [l.name, l.position])).toEqual([
      ['健康', 1],
      ['疾病', 2],
    ])
    const m = await s.create({ name: 'triage', kind: 'multiclass', labels: ['low', 'high'] })
    expect((await s.rename(p.id, ' Ward 4 ')).name).toBe('Ward 4')
    expect((await s.rename(p.id, 'Ward 4')).name).toBe('Ward 4')
    const added = await s.addLabel(m.id, 'mid')
    expect(added.labels.map((l) => [l.name, l.position])).toEqual([
      ['low', 1],
      ['high', 2],
      ['mid', 3],
    ])
    expect((await s.list()).map((x) => x.name)).toEqual(['Ward 4', 'triage'])
    expect(await s.delete(m.id, ' triage ')).toEqual({ deleted: true })
    expect((await s.list()).map((x) => x.id)).toEqual([p.id])
    expect(projects.audit.map((a) => [a.action, a.actor, a.projectId])).toEqual([
      ['project.create', 'tester', 1],
      ['project.create', 'tester', 2],
      ['project.rename', 'tester', 1],
      ['label.add', 'tester', 2],
      ['project.delete', 'tester', 2],
    ])
  })

  it('gives the same messages as over SQLite', async () => {
    const { service: s } = service()
    const p = await s.create({ name: 'A', kind: 'binary' })
    await s.create({ name: 'B', kind: 'multilabel' })
    await expect(s.create({ name: 'A', kind: 'multiclass' })).rejects.toMatchObject({
      code: 'conflict',
      message: 'A project named "A" already exists. Choose another name.',
    })
    await expect(s.rename(p.id, 'B')).rejects.toMatchObject({
      code: 'conflict',
      message: 'A project named "B" already exists. Choose another name.',
    })
    await expect(s.rename(99, 'C')).rejects.toMatchObject({
      code: 'not-found',
      message: 'Project 99 does not exist (it may have been deleted).',
    })
    await expect(s.addLabel(p.id, 'other')).rejects.toMatchObject({
      code: 'bad-input',
      message: 'A binary project has exactly two labels. Create a multi-class project for more.',
    })
    await expect(s.addLabel(p.id, '健康')).rejects.toMatchObject({
      code: 'conflict',
      message: 'The project already has a label named "健康".',
    })
    await expect(s.delete(p.id, 'a')).rejects.toMatchObject({
      code: 'bad-input',
      message: 'To delete the project, type its name exactly: "A".',
    })
    expect((await s.list()).map((x) => x.name)).toEqual(['A', 'B'])
  })

  it('re-checks when the label set changed between its checks and the write', async () => {
    const { projects, service: s } = service()
    const p = await s.create({ name: 'symptoms', kind: 'multilabel' })
    // Another window adds the same label just before this call writes.
    const write = projects.addLabel.bind(projects)
    let raced = false
    projects.addLabel = async (input) => {
      if (!raced) {
        raced = true
        await write({ ...input, actor: 'other window' })
      }
      return write(input)
    }
    await expect(s.addLabel(p.id, '发热')).rejects.toMatchObject({
      code: 'conflict',
      message: 'The project already has a label named "发热".',
    })
    expect((await s.get(p.id)).labels.map((l) => l.name)).toEqual(['发热'])
  })

  it('re-checks the confirmation when the project was renamed before the delete', async () => {
    const { projects, service: s } = service()
    const p = await s.create({ name: 'old', kind: 'binary' })
    const remove = projects.delete.bind(projects)
    let raced = false
    projects.delete = async (input) => {
      if (!raced) {
        raced = true
        await projects.rename({ projectId: p.id, name: 'new', actor: 'other window' })
      }
      return remove(input)
    }
    await expect(s.delete(p.id, 'old')).rejects.toMatchObject({
      code: 'bad-input',
      message: 'To delete the project, type its name exactly: "new".',
    })
    expect((await s.list()).map((x) => x.name)).toEqual(['new'])
  })
})
