// Gather's gradient with heavily repeated indices, run on two onnxruntime threads: every repeat
// must be counted. (onnxruntime's CPU ScatterND with reduction='add' loses some of them at random
// when its threads add into the same row; the embedding gradients of [CLS], padding and token
// type 0 are exactly that case, so the gradient is built from ScatterElements instead.)
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { Graph, emitOnnx, gather, grad, mul, reduceSum } from '../../../../main/ml/graph'

const WIDTH = 384
const N = 4096

describe('gather gradient on two threads', () => {
  // 4 rows: the one-hot product (token types); 1000 rows: ScatterElements (word embeddings).
  it.each([4, 1000])('sums every repeated index exactly, run after run (%i rows)', async (ROWS) => {
    const g = new Graph()
    const table = g.input('table', 'float32', [ROWS, WIDTH])
    const ids = g.input('ids', 'int64', [16, 'seq'])
    const weight = g.input('weight', 'float32', [16, 'seq', WIDTH])
    const loss = reduceSum(mul(gather(table, ids, 0), weight))
    const [dTable] = grad(loss, [table])
    const session = await ort.InferenceSession.create(
      emitOnnx({ inputs: [table, ids, weight], outputs: [{ name: 'd', tensor: dTable }] }),
      { intraOpNumThreads: 2 },
    )
    // Row 0 is hit by 3 of every 4 positions (as padding or [CLS] would be); weights are small
    // integers, so every sum is exact in float32 and any lost update shows.
    const idValues = BigInt64Array.from({ length: N }, (_, i) =>
      BigInt(i % 4 === 3 ? 1 + (i % (ROWS - 1)) : 0),
    )
    const weights = Float32Array.from(
      { length: N * WIDTH },
      (_, k) => 1 + (Math.floor(k / WIDTH) % 3),
    )
    const expected = new Float64Array(ROWS * WIDTH)
    for (let i = 0; i < N; i++) {
      const row = Number(idValues[i])
      for (let j = 0; j < WIDTH; j++) expected[row * WIDTH + j] += weights[i * WIDTH + j]
    }
    const feeds = {
      table: new ort.Tensor('float32', new Float32Array(ROWS * WIDTH), [ROWS, WIDTH]),
      ids: new ort.Tensor('int64', idValues, [16, N / 16]),
      weight: new ort.Tensor('float32', weights, [16, N / 16, WIDTH]),
    }
    for (let run = 0; run < 30; run++) {
      const d = (await session.run(feeds)).d.data as Float32Array
      expect(Array.from(d)).toEqual(Array.from(expected))
    }
    await session.release()
  })
})
