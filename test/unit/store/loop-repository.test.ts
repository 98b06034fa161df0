// LoopRepository's suggestion writes: chunked with the event loop yielded between chunks (a label
// write gets in), upserting one row per text, and leaving the connection's synchronous=FULL as is.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'

let ws: Workspace | undefined
let home = ''
afterEach(() => {
  ws?.close()
  rmSync(home, { recursive: true, force: true })
})

describe('SqliteLoopRepository.writeSuggestions', () => {
  it('writes in chunks, yielding between them, and keeps synchronous=FULL', async () => {
    home = mkdtempSync(join(tmpdir(), 'cts-loop-repo-'))
    ws = openWorkspace(home)
    const db = ws.db
    db.prepare(
      "INSERT INTO projects (id, name, kind, created_at) VALUES (1, 'p', 'binary', 't')",
    ).run()
    db.prepare("INSERT INTO labels VALUES (1, 1, 'A', 1, '#111'), (2, 1, 'B', 2, '#222')").run()
    const insert = db.prepare(
      'INSERT INTO texts (id, project_id, text, content_hash) VALUES (?, 1, ?, ?)',
    )
    for (let i = 1; i <= 250; i++) insert.run(i, `t${i}`, `h${i}`)
    const repo = ws.repos.loop
    const modelId = await repo.addModel({
      projectId: 1,
      name: 'in-loop baseline',
      trainedOnLabels: 3,
      historyId: 0,
      labelIds: [1, 2],
      trainSeconds: 0.5,
    })
    const rows = Array.from({ length: 250 }, (_, i) => ({
      textId: i + 1,
      labels: [
        { labelId: 2, probability: 0.75 },
        { labelId: 1, probability: 0.25 },
      ],
    }))
    const count = () => db.prepare('SELECT COUNT(*) FROM loop_suggestions').pluck().get()
    const seen: unknown[] = []
    const writing = repo.writeSuggestions(1, modelId, rows, 100)
    // Other work gets in between chunks: this callback was queued after the writer's first yield
    // (which then wrote chunk 2), so it runs between chunks 2 and 3, before the write is done.
    setImmediate(() => seen.push(count()))
    await writing
    expect(seen).toEqual([200])
    expect(count()).toBe(250)
    expect(db.pragma('synchronous', { simple: true })).toBe(2)
    expect(await repo.latestModel(1)).toBeUndefined()
    await repo.completeModel(modelId)
    expect((await repo.latestModel(1))?.id).toBe(modelId)
    // A later model's rows replace the text's suggestion (one per text, the latest).
    const next = await repo.addModel({
      projectId: 1,
      name: 'in-loop baseline',
      trainedOnLabels: 4,
      historyId: 1,
      labelIds: [1, 2],
      trainSeconds: 0.5,
    })
    await repo.writeSuggestions(1, next, [{ textId: 7, labels: [{ labelId: 1, probability: 1 }] }])
    expect(count()).toBe(250)
    expect(await repo.suggestion(7)).toEqual({
      textId: 7,
      projectId: 1,
      modelId: next,
      labels: [{ labelId: 1, probability: 1 }],
    })
    expect(db.prepare('SELECT COUNT(*) FROM annotation_labels').pluck().get()).toBe(0)
  })
})
