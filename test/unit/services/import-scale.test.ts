// Large imports: rows are staged while the file streams (at most one batch held in memory), and
// list/next/stats stay fast on a 100,000-text project.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SourceRecord } from '../../../main/data/types'
import { IMPORT_BATCH_ROWS } from '../../../main/store/limits'
import { tempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

const N = 100_000
const note = (i: number) =>
  `Patient ${i}: reports symptom ${i % 97} for ${i % 13} days; 患者主诉第${i}号记录，伴随症状${i % 7}。`

describe('import at scale', () => {
  it('stages rows while reading: never more than one batch is waiting in memory', async () => {
    const lags: number[] = []
    let appRef: ReturnType<typeof tempServices> | undefined
    const reader = new ArrayReader(function* (): Iterable<SourceRecord> {
      for (let i = 0; i < 5000; i++) {
        const db = appRef!.workspace.db
        const table = db
          .prepare(
            "SELECT name FROM sqlite_temp_master WHERE type = 'table' AND name NOT LIKE '%labels'",
          )
          .get() as { name: string } | undefined
        const staged = table
          ? (db.prepare(`SELECT COUNT(*) AS n FROM temp.${table.name}`).get() as { n: number }).n
          : 0
        lags.push(i - staged)
        yield { row: i + 2, text: note(i) }
      }
    })
    const app = (appRef = tempServices({ sourceReader: reader }))
    try {
      const p = await app.handlers['projects/create']({ name: 'stream', kind: 'multiclass' })
      expect(
        await app.handlers['datasets/import']({
          projectId: p.id,
          file: anyFile,
          mapping: textMapping,
        }),
      ).toMatchObject({
        imported: 5000,
      })
      expect(Math.max(...lags)).toBe(IMPORT_BATCH_ROWS - 1)
    } finally {
      app.dispose()
    }
  })

  describe(`a project with ${N.toLocaleString('en')} texts`, () => {
    let app: ReturnType<typeof tempServices>
    let projectId: number
    let heapGrowthMb = 0
    let importMs = 0

    beforeAll(async () => {
      const base = process.memoryUsage().heapUsed
      let peak = base
      app = tempServices({
        sourceReader: new ArrayReader(function* () {
          for (let i = 0; i < N; i++) {
            if (i % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed)
            yield { row: i + 2, text: note(i), label: i % 4 === 0 ? undefined : `class-${i % 3}` }
          }
        }),
      })
      projectId = (await app.handlers['projects/create']({ name: 'large', kind: 'multiclass' })).id
      const t0 = performance.now()
      const r = await app.handlers['datasets/import']({
        projectId,
        file: anyFile,
        mapping: textMapping,
      })
      importMs = performance.now() - t0
      heapGrowthMb = (peak - base) / 2 ** 20
      expect(r).toMatchObject({ imported: N, duplicates: 0, rejected: 0 })
    }, 120_000)
    afterAll(() => app?.dispose())

    it('imports with bounded memory and answers list, search, filters, next and stats quickly', async () => {
      const timings: Record<string, number> = {}
      const time = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
        const t0 = performance.now()
        const result = await call()
        timings[name] = Math.round((performance.now() - t0) * 10) / 10
        return result
      }
      const h = app.handlers
      const page = await time('list page at offset 50,000', () =>
        h['texts/list']({ projectId, offset: 50_000, limit: 100 }),
      )
      expect(page.total).toBe(N)
      expect(page.rows[0].id).toBe(50_001)
      const search = await time('list search "symptom 42 "', () =>
        h['texts/list']({ projectId, offset: 0, limit: 50, search: 'symptom 42 ' }),
      )
      expect(search.total).toBe(
        Array.from({ length: N }, (_, i) => i % 97 === 42).filter(Boolean).length,
      )
      const unlabelled = await time('list unlabelled', () =>
        h['texts/list']({ projectId, offset: 0, limit: 50, unlabelled: true }),
      )
      expect(unlabelled.total).toBe(N / 4)
      await time('list by label', () =>
        h['texts/list']({ projectId, offset: 1000, limit: 50, labelId: 1 }),
      )
      expect(
        await time('next after 99,997 (wraps)', () =>
          h['texts/next']({ projectId, afterTextId: 99_997 }),
        ),
      ).toEqual({
        textId: 1,
        position: 1,
        total: N,
      })
      const stats = await time('stats', () => h['labels/stats']({ projectId }))
      expect(stats.labelled).toBe(N - N / 4)
      await time('projects/list', () => h['projects/list']({}))

      console.log(
        `import of ${N} rows: ${Math.round(importMs)} ms, heap growth while reading ${heapGrowthMb.toFixed(1)} MB; ` +
          `query times (ms): ${JSON.stringify(timings)}`,
      )
      // Generous bounds for a loaded 2-core machine; measured times are ~10× lower.
      for (const ms of Object.values(timings)) expect(ms).toBeLessThan(1500)
      expect(heapGrowthMb).toBeLessThan(200)
    })
  })
})
