// Row-sparse embedding tables (row-sparse-graph.ts, row-sparse-state.ts): the train step fed only
// the rows batches have read gives the weights and losses of the step fed the whole table.
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { Graph, gather, matmul, reduceSum } from '../../../../main/ml/graph'
import { createBaselineAdapter } from '../../../../main/ml/models/baseline-adapter'
import { BASELINE_PARAMS } from '../../../../main/ml/models/baseline'
import {
  createGraphStepRunner,
  type GraphStepRunner,
} from '../../../../main/ml/train/graph-step-runner'
import type { CheckpointTensor } from '../../../../main/ml/train/checkpoint'
import { sparseTables, SPARSE_MIN_ROWS } from '../../../../main/ml/train/row-sparse-graph'
import { RowSparseTable } from '../../../../main/ml/train/row-sparse-state'
import { trainClassifier } from '../../../../main/ml/train/trainer'
import { config, data, fixtureTraining } from './k-step-fixture'

const EMBEDDING = BASELINE_PARAMS.embedding

function options(sparseRows: boolean, losses: number[], lrs: number[] = []) {
  return fixtureTraining(
    (req) => createGraphStepRunner(req, 'cpu', { threads: 1, sparseRows }),
    losses,
    lrs,
  )
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
  return worst
}

describe('which tables are fed row by row', () => {
  it('takes a large table read only by Gather of a batch input, and nothing else', () => {
    const g = new Graph()
    const ids = g.input('ids', 'int64', ['batch', 'seq'])
    const other = g.input('other', 'int64', ['batch'])
    const table = (name: string, rows: number) =>
      g.param(name, [rows, 4], new Float32Array(rows * 4))
    const words = table('words', SPARSE_MIN_ROWS)
    const small = table('small', SPARSE_MIN_ROWS - 1)
    const tied = table('tied', 2048)
    const twoIndices = table('two_indices', 2048)
    const positions = table('positions', 2048) // read at computed rows, not a batch input's
    const w = g.param('w', [4, 2], new Float32Array(8))
    const read = [words, small, tied, twoIndices].map((t) => reduceSum(gather(t, ids, 0)))
    const extra = [
      reduceSum(matmul(tied, w)), // a tied projection needs every row
      reduceSum(gather(twoIndices, other, 0)),
      reduceSum(gather(positions, g.constant(BigInt64Array.of(0n, 1n), [2]), 0)),
      reduceSum(gather(words, ids, 0)), // a second read by the same ids is fine
    ]
    const loss = [...read, ...extra].reduce((a, b) => g.op('Add', [a, b]))
    const found = sparseTables([loss], [words, small, tied, twoIndices, positions, w], [ids, other])
    expect(found.map((t) => t.param)).toEqual([words])
    expect(found[0].ids).toBe(ids)
    expect(found[0].gathers).toHaveLength(2)
  })

  it('takes the baseline embedding (4,096 rows) and nothing else of its graph', () => {
    const g = createBaselineAdapter(config, 8).graph
    const found = sparseTables([g.loss], g.trainable, g.batchInputs)
    expect(found.map((t) => (t.param.source as { name: string }).name)).toEqual([EMBEDDING])
  })
})

describe('a train step fed only the rows in use', () => {
  it('gives the losses and weights of the step fed the whole table', async () => {
    const dense: number[] = []
    const sparse: number[] = []
    const lrs: number[] = []
    const a = await trainClassifier(options(false, dense))
    const b = await trainClassifier(options(true, sparse, lrs))
    expect(sparse).toHaveLength(dense.length)
    let lossDiff = 0
    sparse.forEach((l, i) => (lossDiff = Math.max(lossDiff, Math.abs(l - dense[i]))))
    expect(lossDiff).toBeLessThan(1e-6)
    for (const [name, w] of a.weights) {
      expect(maxAbsDiff(w, b.weights.get(name)!), name).toBeLessThan(1e-6)
    }
    // Not vacuous: rows no batch read were only decayed (by AdamW's factor at each step), and
    // the rows read moved.
    const init = (
      createBaselineAdapter(config, 8).graph.trainable.find(
        (p) => (p.source as { name: string }).name === EMBEDDING,
      )!.source as { init: Float32Array }
    ).init
    const decay = lrs.reduce((f, lr) => f * Math.fround(1 - Math.fround(Math.fround(lr) * 0.01)), 1)
    expect(1 - decay).toBeGreaterThan(1e-3)
    const table = b.weights.get(EMBEDDING)!
    const d = config.dim
    let onlyDecayed = 0
    let moved = 0
    for (let r = 0; r < config.buckets; r++) {
      const row = table.subarray(r * d, (r + 1) * d)
      const start = init.subarray(r * d, (r + 1) * d)
      if (row.every((x, c) => Math.abs(x - start[c] * decay) <= 1e-7)) onlyDecayed++
      else if (maxAbsDiff(row, start) > 1e-2) moved++
    }
    expect(onlyDecayed).toBeGreaterThan(config.buckets / 2)
    expect(moved).toBeGreaterThan(10)
  })

  it('resumes from its checkpoint to the weights of an uninterrupted run', async () => {
    const adapter = createBaselineAdapter(config, 8)
    const req = { graph: adapter.graph, weightDecay: 0.01, clipNorm: 5 }
    const batches = [0, 3, 6, 9, 12, 15].map((s) => {
      const items = data.texts.slice(s, s + 3).map((t) => adapter.encode(t))
      const feeds = adapter.feeds(items, Math.max(...items.map((x) => x.length)))
      feeds.labels = new ort.Tensor(
        'int64',
        BigInt64Array.from(data.labels.slice(s, s + 3), BigInt),
        [3],
      )
      feeds.dropout_seed = new ort.Tensor('int64', BigInt64Array.of(BigInt(s + 1)), [])
      feeds.class_weights = new ort.Tensor('float32', Float32Array.of(1, 1), [2])
      return feeds
    })
    const run = async (
      from: number,
      to: number,
      state?: Record<string, CheckpointTensor>,
    ): Promise<GraphStepRunner> => {
      const r = await createGraphStepRunner(req, 'cpu', { threads: 1 })
      if (state) r.load(state)
      for (let i = from; i < to; i++) await r.step(batches[i], 0.05)
      return r
    }
    const whole = await run(0, 6)
    const first = await run(0, 3)
    const saved = first.state()
    // The checkpoint holds the whole table and moments, zero for rows never read.
    expect(saved[EMBEDDING].data).toHaveLength(config.buckets * config.dim)
    const m = saved[`m/${EMBEDDING}`].data
    expect(m.some((x) => x !== 0)).toBe(true)
    expect(m.filter((x) => x === 0).length).toBeGreaterThan(m.length / 2)
    const resumed = await run(3, 6, saved)
    expect(resumed.steps).toBe(6)
    for (const [name, w] of whole.weights()) {
      expect(maxAbsDiff(w, resumed.weights().get(name)!), name).toBeLessThan(1e-7)
    }
    await Promise.all([whole, first, resumed].map((r) => r.release()))
  })

  it('refuses an id outside the table and activates nothing', () => {
    const io = {
      name: 't',
      shape: [SPARSE_MIN_ROWS, 2],
      input: 't',
      m: 'm/t',
      v: 'v/t',
      output: 'new/t',
      mOut: 'new_m/t',
      vOut: 'new_v/t',
    }
    const t = new RowSparseTable(io, new Float32Array(SPARSE_MIN_ROWS * 2).fill(0.5), true)
    expect(Array.from(t.localIds(BigInt64Array.of(7n, 3n, 7n)))).toEqual([0n, 1n, 0n])
    expect(() => t.localIds(BigInt64Array.of(3n, BigInt(SPARSE_MIN_ROWS)))).toThrow(
      `t: row ${SPARSE_MIN_ROWS} is outside the table's ${SPARSE_MIN_ROWS} rows`,
    )
    expect(t.activeRows).toBe(2)
    // Rows activated later start from the table decayed by the steps so far: 0.5 · (1 − 0.1·0.5)².
    const f = Math.fround(1 - Math.fround(Math.fround(0.1) * Math.fround(0.5)))
    const { p, m, v } = t.feeds()
    t.update(p, m, v, [0.1, 0.1], 0.5)
    t.localIds(BigInt64Array.of(9n))
    expect(t.feeds().p[4]).toBe(Math.fround(0.5 * f * f))
    expect(t.values()[18]).toBe(Math.fround(0.5 * f * f))
    expect(t.values()[0]).toBe(Math.fround(0.5 * f * f))
  })
})
