// An import whose project gains a label while the file is read: the commit sees the label set it
// was decided for or none, so the import re-decides and no label is added twice or lost.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { JobService } from '../../../main/jobs/job-service'
import { DatasetsService } from '../../../main/services/datasets-service'
import { ProjectsService } from '../../../main/services/projects-service'
import type { ImportsRepository } from '../../../main/store/imports-repository'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { anyFile, ArrayReader } from './test-reader'

let home: string
let ws: Workspace
afterEach(() => {
  ws?.close()
  if (home) rmSync(home, { recursive: true, force: true })
})

describe('import racing a label added in another window', () => {
  it('re-decides the labels to add and labels every text', async () => {
    home = mkdtempSync(join(tmpdir(), 'cts-race-'))
    ws = openWorkspace(home)
    const projects = new ProjectsService(ws.repos, 'tester')
    const p = await projects.create({ name: 'triage', kind: 'multiclass', labels: ['A'] })
    // Just before the import commits, another window adds label B.
    let raced = false
    const imports: ImportsRepository = {
      stage: async () => {
        const stage = await ws.repos.imports.stage()
        return {
          addBatch: (rows) => stage.addBatch(rows),
          labelNames: () => stage.labelNames(),
          drop: () => stage.drop(),
          commit: async (input) => {
            if (!raced) {
              raced = true
              await projects.addLabel(p.id, 'B')
            }
            return stage.commit(input)
          },
        }
      },
    }
    const reader = new ArrayReader(() => [
      { row: 2, text: 'one', label: 'A' },
      { row: 3, text: 'two', label: 'B' },
      { row: 4, text: 'three', label: 'C' },
    ])
    const datasets = new DatasetsService(
      { ...ws.repos, imports },
      projects,
      reader,
      'tester',
      new JobService({ publish: () => {} }),
    )
    const result = await datasets.import({
      projectId: p.id,
      file: anyFile,
      mapping: { text: 'text', label: 'label' },
    })
    expect(result).toMatchObject({
      imported: 3,
      duplicates: 0,
      labelsAdded: ['C'],
      labelsUnknown: [],
    })
    const labels = (await projects.get(p.id)).labels.map((l) => [l.id, l.name, l.position])
    expect(labels).toEqual([
      [1, 'A', 1],
      [2, 'B', 2],
      [3, 'C', 3],
    ])
    const texts = await datasets.listTexts({ projectId: p.id, offset: 0, limit: 10 })
    expect(texts.rows.map((t) => [t.text, t.labelIds])).toEqual([
      ['one', [1]],
      ['two', [2]],
      ['three', [3]],
    ])
    const audit = ws.db.prepare('SELECT action FROM audit_log ORDER BY id').pluck().all()
    expect(audit).toEqual(['project.create', 'label.add', 'import'])
  })
})
