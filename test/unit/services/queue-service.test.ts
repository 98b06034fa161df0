// The labelling queue's orders on an 8-text project with a hand-built probability table:
// uncertainty, random, diversity, mislabelled, the audit mix-in and the sequential default.
import { afterEach, describe, expect, it } from 'vitest'
import { findLabelIssues, selfConfidence } from '../../../main/ml/active/confident-learning'
import { tfidfVectors } from '../../../main/ml/active/out-of-fold'
import { kCentreGreedy, pickRandom } from '../../../main/ml/active/strategies'
import { LOOP_DEFAULTS } from '../../../main/services/loop-service'
import { fakeLoop, PROBS, QUEUE_TEXTS, queueFixture, type QueueFixture } from './queue-fixture'

let f: QueueFixture
afterEach(() => f?.app.dispose())

const margin = (id: number) => {
  const p = [...PROBS[id]].sort((a, b) => b - a)
  return p[0] - p[1]
}
const ids = (q: { textId: number }[]) => q.map((x) => x.textId)

/** The project's seeded permutation of its 8 texts (seed = project id), as text ids. */
const permutation = (projectId: number) => pickRandom(8, 8, projectId).map((i) => i + 1)

describe('uncertainty', () => {
  it('serves the smallest margin first, then texts the model has not scored', async () => {
    f = await queueFixture()
    await f.labels.set({ textId: 1, labelIds: [1] })
    const queue = f.queue(fakeLoop())
    const q = await queue.queue(f.projectId, 'uncertainty', 8)
    expect(ids(q)).toEqual([4, 6, 2, 3, 5, 7, 8])
    expect(q.slice(0, 6).map((x) => x.reason)).toEqual(
      [4, 6, 2, 3, 5, 7].map((id) => ({ order: 'uncertainty', value: margin(id) })),
    )
    expect(q[6].reason).toEqual({ order: 'random', fallbackFrom: 'uncertainty' })
    expect(await queue.next({ projectId: f.projectId, order: 'uncertainty' })).toEqual({
      textId: 4,
      position: 4,
      total: 8,
      reason: { order: 'uncertainty', value: margin(4) },
    })
    // The text on screen is left out: after 4 comes 6.
    expect(
      (await queue.next({ projectId: f.projectId, order: 'uncertainty', afterTextId: 4 })).textId,
    ).toBe(6)
  })

  it('offers skipped texts only after the others, as the sequential order does', async () => {
    f = await queueFixture()
    await f.labels.set({ textId: 1, labelIds: [1] })
    await f.labels.skip(4)
    const q = await f.queue(fakeLoop()).queue(f.projectId, 'uncertainty', 8)
    expect(ids(q)).toEqual([6, 2, 3, 5, 7, 8, 4])
    expect(q[6].reason).toEqual({ order: 'uncertainty', value: margin(4) })
  })

  it('falls back to the seeded random order, and says so, before the in-loop model exists', async () => {
    f = await queueFixture()
    const q = await f.queue(fakeLoop({ model: false })).queue(f.projectId, 'uncertainty', 8)
    expect(ids(q)).toEqual(permutation(f.projectId))
    expect(new Set(q.map((x) => JSON.stringify(x.reason)))).toEqual(
      new Set([JSON.stringify({ order: 'random', fallbackFrom: 'uncertainty' })]),
    )
  })

  it('keeps the margins per model version and recomputes them for a new model', async () => {
    f = await queueFixture()
    let version = 'm1'
    let reads = 0
    const table = new Map(Object.entries(PROBS).map(([id, p]) => [Number(id), p]))
    const queue = f.queue({
      modelVersion: async () => version,
      probabilities: async () => {
        reads++
        return { version, labelIds: [1, 2, 3], byText: new Map(table) }
      },
      audit: async () => null,
    })
    expect(ids(await queue.queue(f.projectId, 'uncertainty', 2))).toEqual([4, 6])
    // Same version: the kept margins stand (a model's stored probabilities never change).
    table.set(8, [0.5, 0.5, 0])
    expect(ids(await queue.queue(f.projectId, 'uncertainty', 2))).toEqual([4, 6])
    version = 'm2'
    const q = await queue.queue(f.projectId, 'uncertainty', 2)
    expect(q).toEqual([
      { textId: 8, reason: { order: 'uncertainty', value: 0 } },
      { textId: 4, reason: { order: 'uncertainty', value: margin(4) } },
    ])
    expect(reads).toBe(2)
  })
})

describe('random', () => {
  it('is the project-seeded permutation, the same for every call and every service', async () => {
    f = await queueFixture()
    const expected = permutation(f.projectId)
    const first = await f.queue().queue(f.projectId, 'random', 8)
    expect(ids(first)).toEqual(expected)
    expect(first.every((x) => x.reason.order === 'random' && x.reason.value === undefined)).toBe(
      true,
    )
    expect(ids(await f.queue().queue(f.projectId, 'random', 8))).toEqual(expected)
    // Labelling the head moves the queue on by one; the rest keeps its order.
    await f.labels.set({ textId: expected[0], labelIds: [2] })
    expect(ids(await f.queue().queue(f.projectId, 'random', 8))).toEqual(expected.slice(1))
  })
})

describe('diversity', () => {
  const vectors = tfidfVectors(QUEUE_TEXTS)
  const vec = (id: number) => vectors[id - 1]

  it('with nothing labelled is k-centre greedy from the centroid over the texts', async () => {
    f = await queueFixture()
    const expected = kCentreGreedy(vectors, [], 3)
    const q = await f.queue().queue(f.projectId, 'diversity', 3)
    expect(ids(q)).toEqual(expected.picks.map((i) => i + 1))
    expect(q.map((x) => x.reason)).toEqual(
      expected.distances.map((value) => ({ order: 'diversity', value })),
    )
  })

  it('farthest from the labelled texts first, kept up to date as labels come and go', async () => {
    f = await queueFixture()
    const queue = f.queue()
    const check = async (labelled: number[]) => {
      const candidates = [1, 2, 3, 4, 5, 6, 7, 8].filter((id) => !labelled.includes(id))
      const expected = kCentreGreedy(candidates.map(vec), labelled.map(vec), 4)
      const q = await queue.queue(f.projectId, 'diversity', 4)
      expect(ids(q)).toEqual(expected.picks.map((i) => candidates[i]))
      expect(q.map((x) => x.reason.value)).toEqual(expected.distances)
    }
    await f.labels.set({ textId: 1, labelIds: [1] })
    await check([1])
    await f.labels.set({ textId: 5, labelIds: [2] })
    await check([1, 5])
    await f.labels.undo(f.projectId)
    await check([1])
  })
})

describe('the audit mix-in', () => {
  it('serves an unlabelled audit text every mixEvery-th call and never by the order itself', async () => {
    f = await queueFixture()
    const queue = f.queue(fakeLoop({ audit: [3, 6], mixEvery: 3 }))
    const rank = permutation(f.projectId)
    const auditOrder = [3, 6].sort((a, b) => rank.indexOf(a) - rank.indexOf(b))
    const served: [number | null, string | undefined][] = []
    for (let call = 0; call < 7; call++) {
      const next = await queue.next({ projectId: f.projectId, order: 'uncertainty' })
      served.push([next.textId, next.reason?.order])
      if (next.textId !== null) await f.labels.set({ textId: next.textId, labelIds: [1] })
    }
    // Uncertainty without the audit texts: 4, 2, 5, 7, 1 by margin, then 8 (not scored).
    expect(served).toEqual([
      [4, 'uncertainty'],
      [2, 'uncertainty'],
      [auditOrder[0], 'audit'],
      [5, 'uncertainty'],
      [7, 'uncertainty'],
      [auditOrder[1], 'audit'],
      [1, 'uncertainty'],
    ])
  })

  it('counts the texts of one n-call like n calls', async () => {
    f = await queueFixture()
    const q = await f
      .queue(fakeLoop({ audit: [3, 6], mixEvery: 3 }))
      .queue(f.projectId, 'random', 8)
    expect(q.map((x) => x.reason.order)).toEqual([
      'random',
      'random',
      'audit',
      'random',
      'random',
      'audit',
      'random',
      'random',
    ])
    expect(new Set(ids(q))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]))
  })

  it('leaves the audit texts in the other orders while the loop is off', async () => {
    f = await queueFixture()
    expect(ids(await f.queue(fakeLoop()).queue(f.projectId, 'uncertainty', 3))).toEqual([4, 6, 2])
  })
})

describe('mislabelled', () => {
  it('serves the top of the label review among labelled texts, with the self-confidence', async () => {
    // Out-of-fold probabilities by text: texts 2 and 5 look like label errors.
    const oof: Record<string, number[]> = {
      [QUEUE_TEXTS[0]]: [0.8, 0.1, 0.1],
      [QUEUE_TEXTS[1]]: [0.1, 0.1, 0.8],
      [QUEUE_TEXTS[2]]: [0.7, 0.2, 0.1],
      [QUEUE_TEXTS[3]]: [0.1, 0.8, 0.1],
      [QUEUE_TEXTS[4]]: [0.6, 0.3, 0.1],
      [QUEUE_TEXTS[5]]: [0.1, 0.1, 0.8],
    }
    f = await queueFixture(async (texts, _labels, _classes, o) => ({
      probs: texts.map((t) => oof[t]),
      k: o.k,
    }))
    const given = [0, 0, 0, 1, 2, 2] // class index of texts 1–6
    for (let i = 0; i < 6; i++) await f.labels.set({ textId: i + 1, labelIds: [given[i] + 1] })
    const probs = QUEUE_TEXTS.slice(0, 6).map((t) => oof[t])
    const flagged = findLabelIssues(given, probs)
    const sc = selfConfidence(given, probs)
    expect(flagged.map((i) => i + 1)).toEqual([2, 5])
    const queue = f.queue()
    expect(await queue.queue(f.projectId, 'mislabelled', 5)).toEqual(
      flagged.map((i) => ({ textId: i + 1, reason: { order: 'mislabelled', value: sc[i] } })),
    )
    await f.review.decide({ textId: 2, decision: 'keep' })
    expect(ids(await queue.queue(f.projectId, 'mislabelled', 5))).toEqual([5])
  })
})

describe('sequential', () => {
  it('without an order is texts/next exactly as before; with one it says so', async () => {
    f = await queueFixture()
    await f.labels.set({ textId: 1, labelIds: [1] })
    const queue = f.queue(fakeLoop({ audit: [2], mixEvery: 2 }))
    const before = await f.datasets.next({ projectId: f.projectId })
    expect(before).toEqual({ textId: 2, position: 2, total: 8 })
    expect(await queue.next({ projectId: f.projectId })).toEqual(before)
    expect(await queue.next({ projectId: f.projectId })).toEqual(before)
    expect(await queue.next({ projectId: f.projectId, order: 'sequential', n: 3 })).toEqual({
      ...before,
      reason: { order: 'sequential' },
      queue: [2, 3, 4].map((textId) => ({ textId, reason: { order: 'sequential' } })),
    })
  })

  it('goes through the contract: texts/next with an order, validated at dispatch', async () => {
    f = await queueFixture()
    // The loop off: no audit sample to leave out of the order.
    await f.app.workspace.repos.loop.saveSettings(f.projectId, { ...LOOP_DEFAULTS, enabled: false })
    const next = await f.app.handlers['texts/next']({ projectId: f.projectId, order: 'random' })
    expect(next).toEqual({
      textId: permutation(f.projectId)[0],
      position: permutation(f.projectId)[0],
      total: 8,
      reason: { order: 'random' },
    })
    expect(await f.app.handlers['texts/next']({ projectId: f.projectId })).toEqual({
      textId: 1,
      position: 1,
      total: 8,
    })
    await expect(
      f.app.handlers['texts/next']({ projectId: f.projectId, order: 'best' as never }),
    ).rejects.toMatchObject({ code: 'bad-input' })
  })
})

describe('with the model in the loop (LoopService through boot)', () => {
  it('mixes in its audit sample at its rate, and not while the loop is off', async () => {
    f = await queueFixture()
    const loop = f.app.workspace.repos.loop
    await loop.saveSettings(f.projectId, { ...LOOP_DEFAULTS, auditRate: 0.5, mixEvery: 2 })
    const next = () => f.app.handlers['texts/next']({ projectId: f.projectId, order: 'random' })
    const first = await next()
    const audit = await loop.auditTextIds(f.projectId)
    expect(audit.length).toBe(4)
    expect(first.reason).toEqual({ order: 'random' })
    expect(audit).not.toContain(first.textId)
    const second = await next()
    expect(second.reason).toEqual({ order: 'audit' })
    expect(audit).toContain(second.textId)
    await loop.saveSettings(f.projectId, { ...LOOP_DEFAULTS, enabled: false })
    const off = await f.app.handlers['texts/next']({
      projectId: f.projectId,
      order: 'random',
      n: 8,
    })
    expect(ids(off.queue!)).toEqual(permutation(f.projectId))
  })
})
