// Several annotators labelling one project at once on PostgreSQL (the base of issue #17 point 4):
// 4 clients, each its own connection pool and annotator, 100 label writes each on overlapping
// texts, some of them undos. Nothing acknowledged is lost, nobody's labels overwrite another's,
// each text's history replays to its current rows and the audit chain stays linked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { entryHash, GENESIS } from '../../../main/store/audit-chain'
import { resolveLabels, type ResolutionPolicy } from '../../../main/store/label-resolution'
import { DEFAULT_ANNOTATION_SETTINGS } from '../../../preload/contract/annotators'
import { PgAnnotationsRepository } from '../../../main/store/pg/annotations-repository'
import { PgAnnotatorsRepository } from '../../../main/store/pg/annotators-repository'
import { openPgDatabase, type PgDatabase } from '../../../main/store/pg/pg-database'
import { openBackend, seed, stopOwnServer, type R2Backend } from './r2-backends'

const CLIENTS = 4
const WRITES = 100
const TEXTS = Array.from({ length: 12 }, (_, i) => 101 + i)

afterAll(stopOwnServer)

/** Each text's materialised gold labels are what its annotator rows resolve to under `policy`. */
function expectGoldResolved(
  rows: { text_id: number; annotator: string; label_ids: string }[],
  gold: { text_id: number; label_id: number }[],
  policy: ResolutionPolicy,
): void {
  for (const textId of TEXTS) {
    const expected = resolveLabels(
      rows
        .filter((r) => r.text_id === textId)
        .map((r) => ({ annotator: r.annotator, labelIds: JSON.parse(r.label_ids) as number[] })),
      null,
      policy,
    )
    expect(gold.filter((g) => g.text_id === textId).map((g) => g.label_id)).toEqual(
      expected.labelIds,
    )
  }
}

describe('annotations repository under concurrent annotators (postgres)', () => {
  let b: R2Backend
  const clients: PgDatabase[] = []
  beforeAll(async () => {
    b = await openBackend('postgres')
    await seed(b)
    for (const id of TEXTS) {
      await b.exec('INSERT INTO texts (id, project_id, text, content_hash) VALUES (?, 1, ?, ?)', [
        id,
        id % 2 ? `Husten Nr. ${id}` : `Cough no. ${id}`,
        `c-${id}`,
      ])
    }
    for (let i = 0; i < CLIENTS; i++) clients.push(await openPgDatabase(b.pgUrl!, { max: 2 }))
  })
  afterAll(async () => {
    for (const c of clients) await c.close()
    await b?.close()
  })

  it('keeps every acknowledged label, each annotator’s own rows and a consistent history', async () => {
    // What each annotator was told their own labels are, per text (the last acknowledgement wins).
    const acknowledged = clients.map(() => new Map<number, number[]>())
    // Changes each client was acknowledged (a set to the labels one already has changes nothing).
    const changes = clients.map(() => 0)
    await Promise.all(
      clients.map(async (db, c) => {
        const repo = new PgAnnotationsRepository(db)
        const annotator = `annotator-${c}`
        for (let k = 0; k < WRITES; k++) {
          if (k % 10 === 9) {
            const undone = await repo.step({
              projectId: 1,
              action: 'undo',
              actor: annotator,
              annotator,
            })
            if (undone) {
              acknowledged[c].set(undone.textId, undone.labelIds)
              changes[c] += 1
            }
            continue
          }
          const textId = TEXTS[(k * 5 + c) % TEXTS.length]
          const labelIds = [((k * 7 + c * 3 + Math.floor(k / 12)) % 3) + 1]
          const done = await repo.set({ projectId: 1, textId, labelIds, annotator })
          expect(done).toMatchObject({ textId, labelIds })
          if (acknowledged[c].get(textId)?.[0] !== labelIds[0]) changes[c] += 1
          acknowledged[c].set(textId, labelIds)
        }
      }),
    )

    const rows = await b.all<{ text_id: number; annotator: string; label_ids: string }>(
      'SELECT text_id, annotator, label_ids FROM annotator_labels WHERE project_id = 1',
    )
    for (let c = 0; c < CLIENTS; c++) {
      const own = new Map(
        rows
          .filter((r) => r.annotator === `annotator-${c}`)
          .map((r) => [r.text_id, JSON.parse(r.label_ids) as number[]]),
      )
      for (const [textId, labelIds] of acknowledged[c]) {
        // An undo back to "never labelled" removes the row; [] then means no row.
        expect(own.get(textId) ?? [], `annotator-${c} on text ${textId}`).toEqual(labelIds)
      }
      expect([...own.keys()].every((t) => acknowledged[c].has(t))).toBe(true)
    }

    // Per text and annotator, each history entry starts where the one before it ended, and the
    // last one ends at the annotator's current row; the text's revision is its newest entry.
    const history = await b.all<{
      id: number
      text_id: number
      annotator: string
      before_label_ids: string
      after_label_ids: string
    }>(
      'SELECT id, text_id, annotator, before_label_ids, after_label_ids FROM annotation_history ORDER BY id',
    )
    expect(history).toHaveLength(changes.reduce((a, n) => a + n, 0))
    expect(changes.every((n) => n > WRITES / 2)).toBe(true)
    const lastAfter = new Map<string, string>()
    for (const h of history) {
      const key = `${h.text_id}/${h.annotator}`
      expect(h.before_label_ids, `history ${h.id}`).toBe(lastAfter.get(key) ?? 'null')
      lastAfter.set(key, h.after_label_ids)
    }
    for (const r of rows) expect(lastAfter.get(`${r.text_id}/${r.annotator}`)).toBe(r.label_ids)
    const revisions = await b.all<{ text_id: number; revision: number }>(
      'SELECT text_id, revision FROM annotations WHERE project_id = 1',
    )
    const newest = new Map<number, number>()
    for (const h of history) newest.set(h.text_id, h.id)
    expect(new Map(revisions.map((r) => [r.text_id, r.revision]))).toEqual(newest)

    // The materialised gold label of every text is what its rows resolve to now.
    const gold = await b.all<{ text_id: number; label_id: number }>(
      'SELECT text_id, label_id FROM annotation_labels ORDER BY text_id, label_id',
    )
    expectGoldResolved(rows, gold, { kind: 'multiclass', tiePolicy: 'exclude', tieAnnotator: null })

    // One audit entry per history entry, every link intact.
    const audit = await b.all<{
      id: number
      at: string
      actor: string
      action: string
      project_id: number | null
      details: string
      prev_hash: string
      hash: string
    }>(
      'SELECT id, at, actor, action, project_id, details, prev_hash, hash FROM audit_log ORDER BY id',
    )
    expect(audit).toHaveLength(history.length)
    let prev = GENESIS
    audit.forEach((e, i) => {
      expect(e.id).toBe(i + 1)
      expect(e.prev_hash).toBe(prev)
      expect(entryHash(e, prev)).toBe(e.hash)
      prev = e.hash
    })
  })
  it('resolves every text by the settings that won while annotators label during a settings change', async () => {
    const tie = (k: number) => ({
      ...DEFAULT_ANNOTATION_SETTINGS,
      tiePolicy: k % 2 ? ('annotator' as const) : ('exclude' as const),
      tieAnnotator: k % 2 ? 'annotator-0' : null,
    })
    await Promise.all([
      ...[0, 1, 3].map(async (c) => {
        const repo = new PgAnnotationsRepository(clients[c])
        for (let k = 0; k < 40; k++) {
          const textId = TEXTS[(k * 7 + c) % TEXTS.length]
          const labelIds = [((k + c * 2 + Math.floor(k / 12)) % 3) + 1]
          await repo.set({ projectId: 1, textId, labelIds, annotator: `annotator-${c}` })
        }
      }),
      (async () => {
        const repo = new PgAnnotatorsRepository(clients[2])
        for (let k = 0; k < 30; k++) await repo.setSettings(1, tie(k), 'lead')
      })(),
    ])
    const rows = await b.all<{ text_id: number; annotator: string; label_ids: string }>(
      'SELECT text_id, annotator, label_ids FROM annotator_labels WHERE project_id = 1',
    )
    const gold = await b.all<{ text_id: number; label_id: number }>(
      'SELECT text_id, label_id FROM annotation_labels ORDER BY text_id, label_id',
    )
    expectGoldResolved(rows, gold, {
      kind: 'multiclass',
      tiePolicy: 'annotator',
      tieAnnotator: 'annotator-0',
    })
    expect(
      await b.all("SELECT id FROM audit_log WHERE action = 'annotation.settings'"),
    ).toHaveLength(30)
  })
})
