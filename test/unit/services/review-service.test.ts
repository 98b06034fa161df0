// The label-error review: confident learning's ranking over out-of-fold probabilities, the
// keep / relabel decisions (audit log, labels) and the cache of the k fits per state of the labels.
import { afterEach, describe, expect, it } from 'vitest'
import { findLabelIssues } from '../../../main/ml/active/confident-learning'
import { outOfFoldProbabilities } from '../../../main/ml/active/out-of-fold'
import type { OutOfFoldFn } from '../../../main/services/review-service'
import { QUEUE_TEXTS, queueFixture, type QueueFixture } from './queue-fixture'

let f: QueueFixture
afterEach(() => f?.app.dispose())

/** Out-of-fold probabilities by text (3 classes): texts 2, 5 and 6 look mislabelled. */
const OOF: Record<string, number[]> = {
  [QUEUE_TEXTS[0]]: [0.8, 0.1, 0.1],
  [QUEUE_TEXTS[1]]: [0.15, 0.05, 0.8],
  [QUEUE_TEXTS[2]]: [0.7, 0.2, 0.1],
  [QUEUE_TEXTS[3]]: [0.1, 0.8, 0.1],
  [QUEUE_TEXTS[4]]: [0.6, 0.3, 0.1],
  [QUEUE_TEXTS[5]]: [0.1, 0.85, 0.05],
  [QUEUE_TEXTS[6]]: [0.1, 0.1, 0.8],
  [QUEUE_TEXTS[7]]: [0.2, 0.1, 0.7],
}
/** Given class index of texts 1–8 (label id = index + 1). */
const GIVEN = [0, 0, 0, 1, 2, 2, 2, 2]

/** A fixture whose out-of-fold step reads the table above and counts its calls. */
async function labelled(): Promise<{ calls: { k: number; n: number }[] }> {
  const calls: { k: number; n: number }[] = []
  const oof: OutOfFoldFn = async (texts, _labels, _classes, o) => {
    calls.push({ k: o.k, n: texts.length })
    return { probs: texts.map((t) => OOF[t]), k: o.k }
  }
  f = await queueFixture(oof)
  for (let i = 0; i < 8; i++) await f.labels.set({ textId: i + 1, labelIds: [GIVEN[i] + 1] })
  return { calls }
}

const auditRows = () =>
  f.app.workspace.db
    .prepare(
      "SELECT actor, action, details FROM audit_log WHERE action LIKE 'review.%' ORDER BY id",
    )
    .all()
    .map((r) => {
      const row = r as { actor: string; action: string; details: string }
      return { ...row, details: JSON.parse(row.details) as unknown }
    })

describe('review/list', () => {
  it("ranks exactly as AL-CORE's findLabelIssues on the same out-of-fold probabilities", async () => {
    const { calls } = await labelled()
    const expected = findLabelIssues(
      GIVEN,
      QUEUE_TEXTS.map((t) => OOF[t]),
    )
    expect(expected.map((i) => i + 1)).toEqual([6, 5, 2])
    const list = await f.review.list({ projectId: f.projectId, k: 4, limit: 50 })
    expect(list).toEqual({
      labelled: 8,
      folds: 4,
      items: expected.map((i, r) => {
        const p = OOF[QUEUE_TEXTS[i]]
        const predicted = p.indexOf(Math.max(...p))
        return {
          textId: i + 1,
          text: QUEUE_TEXTS[i],
          rank: r + 1,
          givenLabelIds: [GIVEN[i] + 1],
          predictedLabelId: predicted + 1,
          probabilityGiven: p[GIVEN[i]],
          probabilityPredicted: p[predicted],
        }
      }),
    })
    expect(calls).toEqual([{ k: 4, n: 8 }])
    // limit cuts the list; the same labels and k reuse the fits.
    const top = await f.review.list({ projectId: f.projectId, k: 4, limit: 1 })
    expect(top.items.map((i) => i.textId)).toEqual([6])
    expect(calls).toHaveLength(1)
    await f.review.list({ projectId: f.projectId, k: 3, limit: 1 })
    expect(calls).toEqual([
      { k: 4, n: 8 },
      { k: 3, n: 8 },
    ])
  })

  it('says why a multi-label project has no review', async () => {
    f = await queueFixture()
    const p = await f.app.handlers['projects/create']({
      name: 'Multi',
      kind: 'multilabel',
      labels: ['A', 'B'],
    })
    await expect(f.review.list({ projectId: p.id, k: 5, limit: 50 })).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(/one label per text/),
    })
  })
})

describe('review/decide', () => {
  it('keep audit-logs the decision, leaves the labels and takes the text off the list', async () => {
    const { calls } = await labelled()
    const before = f.app.workspace.db.prepare('SELECT * FROM annotation_labels').all()
    expect(await f.review.decide({ textId: 2, decision: 'keep' })).toEqual({
      textId: 2,
      decision: 'keep',
    })
    expect(f.app.workspace.db.prepare('SELECT * FROM annotation_labels').all()).toEqual(before)
    expect(auditRows()).toEqual([
      {
        actor: 'tester',
        action: 'review.keep',
        details: { textId: 2, revision: 2, labelIds: [1] },
      },
    ])
    const list = await f.review.list({ projectId: f.projectId, k: 5, limit: 50 })
    expect(list.items.map((i) => [i.textId, i.rank])).toEqual([
      [6, 1],
      [5, 2],
    ])
    // Keeping changes no label: the fits are reused.
    expect(calls).toHaveLength(1)
  })

  it('relabel sets the new label through the labels service, audited like any label', async () => {
    const { calls } = await labelled()
    await f.review.list({ projectId: f.projectId, k: 5, limit: 50 })
    expect(await f.review.decide({ textId: 6, decision: 'relabel', labelIds: [2] })).toEqual({
      textId: 6,
      decision: 'relabel',
    })
    expect((await f.app.handlers['texts/get']({ textId: 6 })).labelIds).toEqual([2])
    const labelSets = f.app.workspace.db
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'label.set'")
      .get() as { n: number }
    expect(labelSets.n).toBe(9) // 8 labels of the fixture + the relabel
    expect(auditRows()).toEqual([
      {
        actor: 'tester',
        action: 'review.relabel',
        details: { textId: 6, revision: 9, from: [3], labelIds: [2] },
      },
    ])
    // New labels: the out-of-fold fits run again, and text 6 is no longer on the list.
    const list = await f.review.list({ projectId: f.projectId, k: 5, limit: 50 })
    expect(calls).toHaveLength(2)
    expect(list.items.map((i) => i.textId)).not.toContain(6)
  })

  it('a kept text comes back when its label changes later', async () => {
    await labelled()
    await f.review.decide({ textId: 2, decision: 'keep' })
    await f.labels.set({ textId: 2, labelIds: [2] })
    await f.labels.set({ textId: 2, labelIds: [1] })
    const list = await f.review.list({ projectId: f.projectId, k: 5, limit: 50 })
    expect(list.items.map((i) => i.textId)).toEqual([6, 5, 2])
  })

  it('refuses a keep without a label and a relabel without one, with messages to act on', async () => {
    f = await queueFixture()
    await expect(f.review.decide({ textId: 1, decision: 'keep' })).rejects.toMatchObject({
      code: 'bad-input',
      message: 'Text 1 has no label to keep.',
    })
    await expect(
      f.review.decide({ textId: 1, decision: 'relabel', labelIds: [] }),
    ).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/choose a label/) })
    await expect(f.review.decide({ textId: 99, decision: 'keep' })).rejects.toMatchObject({
      code: 'not-found',
    })
    expect(auditRows()).toEqual([])
  })
})

describe('through the contract', () => {
  it('review/list fits the TF-IDF baseline out of fold and review/decide records a keep', async () => {
    f = await queueFixture()
    const h = f.app.handlers
    for (let i = 0; i < 8; i++) await h['labels/set']({ textId: i + 1, labelIds: [GIVEN[i] + 1] })
    const list = await h['review/list']({ projectId: f.projectId, k: 2 })
    expect([list.labelled, list.folds]).toEqual([8, 2])
    // The same out-of-fold probabilities computed here give the same ranking.
    const oof = await outOfFoldProbabilities(QUEUE_TEXTS, GIVEN, 3, { k: 2 })
    const expected = findLabelIssues(GIVEN, oof.probs).map((i) => i + 1)
    expect(list.items.map((i) => i.textId)).toEqual(expected)
    expect(list.items.map((i) => i.probabilityGiven)).toEqual(
      expected.map((id) => oof.probs[id - 1][GIVEN[id - 1]]),
    )
    for (const item of list.items) {
      expect(item.givenLabelIds).toEqual([GIVEN[item.textId - 1] + 1])
      expect(item.predictedLabelId).not.toBe(item.givenLabelIds[0])
      expect(item.probabilityPredicted).toBeGreaterThan(item.probabilityGiven)
    }
    expect(await h['review/decide']({ textId: 1, decision: 'keep' })).toEqual({
      textId: 1,
      decision: 'keep',
    })
    expect(auditRows().map((r) => r.action)).toEqual(['review.keep'])
    await expect(h['review/list']({ projectId: f.projectId, k: 11 })).rejects.toMatchObject({
      code: 'bad-input',
    })
  }, 60_000)
})
