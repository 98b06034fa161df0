// texts/list: paging, search (LIKE wildcards escaped, ASCII case-insensitive), label filters.
import { afterEach, describe, expect, it } from 'vitest'
import type { SourceRecord } from '../../../main/data/types'
import { likePattern } from '../../../main/store/texts-repo'
import { tempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

let app: ReturnType<typeof tempServices>
afterEach(() => app?.dispose())

const records: SourceRecord[] = [
  { row: 2, text: 'dose 50% reduced', label: 'A' },
  { row: 3, text: 'dose 500 mg', label: 'B' },
  { row: 4, text: 'ICD A_B code', label: 'A' },
  { row: 5, text: 'aXb pattern' },
  { row: 6, text: '患者主诉头痛' },
  { row: 7, text: 'back\\slash note', label: 'B' },
]

async function setup() {
  app = tempServices({ sourceReader: new ArrayReader(() => records) })
  const p = await app.handlers['projects/create']({ name: 'p', kind: 'multiclass' })
  await app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping })
  return p.id
}

describe('texts/list', () => {
  it('pages in id order with the total of all matches', async () => {
    const projectId = await setup()
    const page = await app.handlers['texts/list']({ projectId, offset: 2, limit: 2 })
    expect(page.total).toBe(6)
    expect(page.rows.map((r) => [r.id, r.text, r.labelIds])).toEqual([
      [3, 'ICD A_B code', [1]],
      [4, 'aXb pattern', []],
    ])
  })

  it('treats %, _ and \\ in a search as plain characters and ignores ASCII case', async () => {
    const projectId = await setup()
    const ids = async (search: string) =>
      (await app.handlers['texts/list']({ projectId, offset: 0, limit: 100, search })).rows.map(
        (r) => r.id,
      )
    expect(await ids('50%')).toEqual([1])
    expect(await ids('a_b')).toEqual([3])
    expect(await ids('_')).toEqual([3])
    expect(await ids('\\')).toEqual([6])
    expect(await ids('DOSE')).toEqual([1, 2])
    expect(await ids('头痛')).toEqual([5])
    expect(likePattern('5%_\\')).toBe('%5\\%\\_\\\\%')
  })

  it('filters by label and by unlabelled, combined with search', async () => {
    const projectId = await setup()
    const list = async (extra: { labelId?: number; unlabelled?: boolean; search?: string }) => {
      const r = await app.handlers['texts/list']({ projectId, offset: 0, limit: 100, ...extra })
      return { total: r.total, ids: r.rows.map((x) => x.id) }
    }
    expect(await list({ labelId: 1 })).toEqual({ total: 2, ids: [1, 3] })
    expect(await list({ labelId: 2, search: 'dose' })).toEqual({ total: 1, ids: [2] })
    expect(await list({ unlabelled: true })).toEqual({ total: 2, ids: [4, 5] })
    await expect(
      app.handlers['texts/list']({ projectId: 9, offset: 0, limit: 1 }),
    ).rejects.toMatchObject({
      code: 'not-found',
    })
  })
})
