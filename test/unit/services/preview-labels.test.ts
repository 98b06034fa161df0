// datasets/preview offers the labels the import will create: cells with ; or | are split only for
// a multi-label project; for the others the whole cell is one label, as the importer stores it
// (the import adds the same labels, in its own order).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { LabelSetKind } from '../../../preload/contract'
import { tempServices } from './fixtures'

let app: ReturnType<typeof tempServices>
afterEach(() => app?.dispose())

const CSV = [
  'text,label',
  '咳嗽三天，伴发热,感冒;发热',
  'Chest pain on exertion,angina | hypertension',
  '血压偏高,hypertension',
  'Routine check-up,',
].join('\n')

async function previewAndImport(kind: LabelSetKind) {
  app = tempServices()
  const file = { path: join(app.home, 'labels.csv') }
  writeFileSync(file.path, CSV)
  const p = await app.handlers['projects/create']({ name: kind, kind, labels: [] })
  const preview = await app.handlers['datasets/preview']({ projectId: p.id, file })
  const result = await app.handlers['datasets/import']({
    projectId: p.id,
    file,
    mapping: preview.suggestedMapping,
  })
  return { labelsFound: preview.labelsFound, labelsAdded: result.labelsAdded }
}

describe('datasets/preview labelsFound', () => {
  it('splits multi-label cells on ; and | for a multi-label project', async () => {
    const { labelsFound, labelsAdded } = await previewAndImport('multilabel')
    expect(labelsFound).toEqual(['感冒', '发热', 'angina', 'hypertension'])
    expect([...labelsAdded].sort()).toEqual([...labelsFound].sort())
  })

  it('keeps each cell whole for a multi-class project, as the import does', async () => {
    const { labelsFound, labelsAdded } = await previewAndImport('multiclass')
    expect(labelsFound).toEqual(['感冒;发热', 'angina | hypertension', 'hypertension'])
    expect([...labelsAdded].sort()).toEqual([...labelsFound].sort())
  })
})
