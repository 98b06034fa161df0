// A pool of sessions predicting one set of texts (main/ml/infer/predict.ts): every batch runs once,
// rows come back in input order, a failure stops the pool, and a real int8 model gives exactly
// the probabilities of one session.
import { rmSync } from 'node:fs'
import type * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import { predictProbabilities } from '../../../../main/ml/infer/predict'
import { loadClassifierBundle } from '../../../../main/ml/infer/classifier-bundle'
import { writeBertBundle, writeTinyBertFolder } from './bundles'

interface Item {
  length: number
  id: number
}

const K = 2
/** Feeds carry the batch's item ids; the fake model answers [id, -id] per row. */
const adapter = {
  numClasses: K,
  maxLength: 64,
  lengthMultiple: 8,
  feeds: (items: Item[], length: number) =>
    ({ ids: { items: items.map((e) => e.id), length } }) as unknown as Record<string, ort.Tensor>,
}

/** A fake session that records the batches it ran; `delays` (ms) alternate per call. */
function fakeSession(delays: number[], failOnCall?: number) {
  const ran: number[][] = []
  const session = {
    async run(feeds: Record<string, unknown>) {
      const { items } = feeds.ids as { items: number[] }
      if (ran.length === failOnCall) throw new Error('the model stopped')
      ran.push(items)
      await new Promise((r) => setTimeout(r, delays[ran.length % delays.length]))
      return { probs: { data: Float32Array.from(items.flatMap((id) => [id, -id])) } }
    },
  }
  return { ran, session: session as unknown as ort.InferenceSession }
}

// Lengths spread over several padded lengths, as texts of a file are.
const items: Item[] = Array.from({ length: 23 }, (_, id) => ({ id, length: 3 + ((id * 7) % 40) }))

describe('predictProbabilities with a pool of sessions', () => {
  it('runs every batch once, on both sessions, and returns rows in input order', async () => {
    const a = fakeSession([5, 1])
    const b = fakeSession([1, 4])
    const probs = await predictProbabilities([a.session, b.session], adapter, items, {
      batchSize: 4,
    })
    expect(Array.from(probs)).toEqual(items.flatMap((e) => [e.id, -e.id]))
    const batches = [...a.ran, ...b.ran]
    expect(batches).toHaveLength(6)
    expect(batches.flat().sort((p, q) => p - q)).toEqual(items.map((e) => e.id))
    expect(a.ran.length).toBeGreaterThan(0)
    expect(b.ran.length).toBeGreaterThan(0)
  })

  it('makes the same batches as one session', async () => {
    const one = fakeSession([0])
    await predictProbabilities(one.session, adapter, items, { batchSize: 4 })
    const a = fakeSession([3, 0])
    const b = fakeSession([0, 2])
    await predictProbabilities([a.session, b.session], adapter, items, { batchSize: 4 })
    const sorted = (xs: number[][]) => xs.map((x) => x.join(',')).sort()
    expect(sorted([...a.ran, ...b.ran])).toEqual(sorted(one.ran))
  })

  it('rejects with the failure and starts no further batch', async () => {
    const a = fakeSession([20], 0)
    const b = fakeSession([20])
    await expect(
      predictProbabilities([a.session, b.session], adapter, items, { batchSize: 4 }),
    ).rejects.toThrow('the model stopped')
    // b was running its first batch when a failed; it finishes that one and takes no other.
    await new Promise((r) => setTimeout(r, 50))
    expect(a.ran).toHaveLength(0)
    expect(b.ran).toHaveLength(1)
  })
})

describe('a bundle loaded with two sessions', () => {
  const made: string[] = []
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })))

  it('gives exactly the probabilities of one session, int8 and fp32', async () => {
    const folder = writeTinyBertFolder('mean', 2)
    const dir = await writeBertBundle(folder, { maxLength: 32, head: 'mean' })
    made.push(folder, dir)
    const texts = [
      '发热咳嗽三天',
      'routine checkup, no complaints',
      '胸痛 at night, worse on exertion',
      '腹泻',
      'shortness of breath 气短 since Monday',
      'BP 120/80',
      '头痛伴恶心呕吐两天',
      'follow-up visit after pneumonia treatment, chest clear',
      '心悸',
      'rash on both arms',
    ]
    for (const quantization of ['int8', 'none'] as const) {
      const one = await loadClassifierBundle(dir, 'cpu', { quantization, threads: 2 })
      const two = await loadClassifierBundle(dir, 'cpu', { quantization, threads: 2, sessions: 2 })
      const expected = await one.predict(texts, 3)
      const got = await two.predict(texts, 3)
      expect(got).toEqual(expected)
      expect(got.length).toBe(texts.length * 2)
      await Promise.all([one.release(), two.release()])
    }
  })
})
