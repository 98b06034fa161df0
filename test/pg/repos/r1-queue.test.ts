// The labelling queue, the label review's decisions and the model choice's text sample on both
// backends, with the same assertions.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  auditTrail,
  BACKENDS,
  importRows,
  openBackend,
  staged,
  stopOwnServer,
  type R1Backend,
} from './r1-backends'

afterAll(stopOwnServer)

const AT = '2026-01-01T00:00:00.000Z'

describe.each(BACKENDS)('queue and text sample repositories (%s)', (backend) => {
  let b: R1Backend
  beforeEach(async () => {
    b = await openBackend(backend)
    await b.projects.create({ name: 'Husten', kind: 'binary', labels: ['ja'], actor: 't' })
    await b.projects.create({ name: 'Leer / empty', kind: 'binary', labels: [], actor: 't' })
    await importRows(b, 1, [
      staged(1, 'Husten seit gestern.', ['ja']),
      staged(2, 'No cough.'),
      staged(3, 'Toux sèche.'),
      staged(4, 'Reizhusten.', ['ja']),
    ])
    await b.exec(
      `INSERT INTO annotations (text_id, project_id, revision, skipped, annotator, updated_at) VALUES (3, 1, 5, 1, 'anna', ?), (4, 1, 7, 0, 'anna', ?)`,
      [AT, AT],
    )
  })
  afterEach(async () => {
    await b.close()
  })

  it('reads each text with its labelled and skipped state, and the texts, in id order', async () => {
    expect(await b.queue.states(1)).toEqual([
      { id: 1, labelled: true, skipped: false },
      { id: 2, labelled: false, skipped: false },
      { id: 3, labelled: false, skipped: true },
      { id: 4, labelled: true, skipped: false },
    ])
    expect(await b.queue.states(2)).toEqual([])
    expect(await b.queue.texts(1)).toEqual([
      { id: 1, text: 'Husten seit gestern.' },
      { id: 2, text: 'No cough.' },
      { id: 3, text: 'Toux sèche.' },
      { id: 4, text: 'Reizhusten.' },
    ])
    expect(await b.queue.texts(9)).toEqual([])
  })

  it('records review decisions at the current revision until the labels change', async () => {
    const decide = (textId: number, decision: 'keep' | 'relabel', projectId = 1) =>
      b.queue.decide({ projectId, textId, decision, actor: 'lea', details: { score: 0.25 } })
    expect(await decide(1, 'keep')).toBe(true)
    expect(await decide(4, 'relabel')).toBe(true)
    expect(await decide(4, 'keep', 2)).toBe(false)
    expect(await decide(99, 'keep')).toBe(false)
    expect(await b.queue.reviewed(1)).toEqual([1, 4])
    expect(await b.queue.reviewed(2)).toEqual([])
    expect(
      await b.all(
        'SELECT text_id, project_id, revision, decision, actor FROM label_reviews ORDER BY text_id',
      ),
    ).toEqual([
      { text_id: 1, project_id: 1, revision: 0, decision: 'keep', actor: 'lea' },
      { text_id: 4, project_id: 1, revision: 7, decision: 'relabel', actor: 'lea' },
    ])
    expect((await auditTrail(b)).slice(-2)).toEqual([
      { action: 'review.keep', details: { textId: 1, revision: 0, score: 0.25 } },
      { action: 'review.relabel', details: { textId: 4, revision: 7, score: 0.25 } },
    ])
    // A later label change brings text 4 back into review; a new decision replaces the old one.
    await b.exec('UPDATE annotations SET revision = 8 WHERE text_id = 4')
    expect(await b.queue.reviewed(1)).toEqual([1])
    expect(await decide(4, 'keep')).toBe(true)
    expect(await b.queue.reviewed(1)).toEqual([1, 4])
    expect(await b.all('SELECT revision, decision FROM label_reviews WHERE text_id = 4')).toEqual([
      { revision: 8, decision: 'keep' },
    ])
  })

  it('samples texts at the positions the picker chooses, undefined for a missing project', async () => {
    const seen: number[] = []
    const sample = await b.textSample.textSample(1, (n) => {
      seen.push(n)
      return [3, 0, 3]
    })
    expect(seen).toEqual([4])
    expect(sample).toEqual({
      texts: ['Reizhusten.', 'Husten seit gestern.', 'Reizhusten.'],
      total: 4,
    })
    expect(await b.textSample.textSample(2, () => [])).toEqual({ texts: [], total: 0 })
    expect(await b.textSample.textSample(9, () => [0])).toBeUndefined()
  })
})
