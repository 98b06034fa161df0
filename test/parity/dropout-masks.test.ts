// Our seeded dropout masks, element for element, against their PyTorch port
// (test/parity/python/hash_dropout.py), which lets a PyTorch run drop exactly what ours drops
// (test/parity/accuracy/trajectory.test.ts and `npm run parity:accuracy -- --shared-streams`).
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { Graph, dropout, emitOnnx } from '../../main/ml/graph'
import { ROOT, refPython } from './bert-harness'

const SCRIPT = `${ROOT}/test/parity/python/hash_dropout.py`

describe('dropout masks match their PyTorch port', () => {
  it('keeps the same elements for several shapes, rates, seeds and call sites', async () => {
    const g = new Graph()
    const seed = g.input('seed', 'int64', [])
    // Sites are numbered in call order: 1, 2, 3 — a symbolic batch dim included.
    const sites = [
      { x: g.input('a', 'float32', ['batch', 3, 5]), p: 0.1 },
      { x: g.input('b', 'float32', [4, 7]), p: 0.25 },
      { x: g.input('c', 'float32', [2, 3, 9, 9]), p: 0.5 },
    ]
    const feedShapes = [
      [6, 3, 5],
      [4, 7],
      [2, 3, 9, 9],
    ]
    const outs = sites.map((s, i) => ({ name: `y${i}`, tensor: dropout(s.x, s.p, seed) }))
    const session = await ort.InferenceSession.create(
      emitOnnx({ inputs: [seed, ...sites.map((s) => s.x)], outputs: outs }),
    )
    for (const sd of [0, 42, 2654435769, 4294967295]) {
      const feeds: Record<string, ort.Tensor> = {
        seed: new ort.Tensor('int64', BigInt64Array.of(BigInt(sd)), []),
      }
      feedShapes.forEach((shape, i) => {
        const n = shape.reduce((a, b) => a * b)
        feeds['abc'[i]] = new ort.Tensor('float32', new Float32Array(n).fill(1), shape)
      })
      const r = await session.run(feeds)
      const ours = outs.map((o) =>
        Array.from(r[o.name].data as Float32Array, (v) => (v !== 0 ? '1' : '0')).join(''),
      )
      const request = sites.map((s, i) => [feedShapes[i], s.p, sd, i + 1])
      const theirs = refPython([JSON.stringify(request)], SCRIPT)
        .trim()
        .split('\n')
      expect(theirs).toEqual(ours)
      // Not a trivial mask: each site drops some and keeps most.
      for (const m of ours) expect(m).toMatch(/0.*1|1.*0/)
    }
    await session.release()
  })
})
