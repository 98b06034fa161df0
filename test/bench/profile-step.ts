// Profiles one MiniLM training step with onnxruntime's session profiler and prints the share of
// the step's kernel time per op type (the starting point for step-speed work, issue #13).
// Env: LENGTH=128, BATCH=16, THREADS=2, STEPS=3 (profiled steps after one warm-up), OUT=dir.
import { readFileSync, readdirSync, rmSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { createBertAdapter } from '../../main/ml/models/bert-adapter'
import { RowSparseTable } from '../../main/ml/train/row-sparse-state'
import { buildTrainStep } from '../../main/ml/train/train-step'

const batch = Number(process.env.BATCH ?? 16)
const length = Number(process.env.LENGTH ?? 128)
const steps = Number(process.env.STEPS ?? 3)
const adapter = await createBertAdapter(join(process.cwd(), 'resources/models/all-MiniLM-L6-v2'), {
  numClasses: 2,
  maxLength: length,
})
const g = adapter.graph
const { model, io } = buildTrainStep({
  inputs: [...g.batchInputs, g.labels, g.dropoutSeed],
  sharedInputs: [g.classWeights],
  loss: g.loss,
  trainable: g.trainable,
  decayMask: g.decayMask,
  clipNorm: 1,
  // As the trainer runs it (graph-step-runner.ts); DENSE=1 feeds the whole word-embedding table.
  sparseRows: !process.env.DENSE,
})
const dir = process.env.OUT ?? mkdtempSync(join(tmpdir(), 'cts-profile-'))
const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: Number(process.env.THREADS ?? 2),
  interOpNumThreads: 1,
  enableMemPattern: false,
  graphOptimizationLevel: 'all',
  enableProfiling: true,
  profileFilePrefix: join(dir, 'step'),
})
const items = Array.from({ length: batch }, (_, r) => ({
  ids: Array.from({ length }, (_, i) => (i === 0 ? 101 : 1000 + ((r * 131 + i * 17) % 20000))),
  length,
}))
const feeds: Record<string, ort.Tensor> = adapter.feeds(items, length)
feeds.labels = new ort.Tensor(
  'int64',
  BigInt64Array.from(items, (_, i) => BigInt(i % 2)),
  [batch],
)
feeds.class_weights = new ort.Tensor('float32', Float32Array.of(1, 1), [2])
g.trainable.forEach((p, i) => {
  const init = (p.source as { init: Float32Array }).init
  const rows = io.params[i].rows
  if (rows) {
    const table = new RowSparseTable(io.params[i], init, true)
    const ids = feeds[rows.ids]
    feeds[rows.local] = new ort.Tensor('int64', table.localIds(ids.data as BigInt64Array), ids.dims)
    const f = table.feeds()
    feeds[io.params[i].input] = new ort.Tensor('float32', f.p, f.dims)
    feeds[io.params[i].m] = new ort.Tensor('float32', f.m, f.dims)
    feeds[io.params[i].v] = new ort.Tensor('float32', f.v, f.dims)
    return
  }
  const shape = io.params[i].shape
  feeds[io.params[i].input] = new ort.Tensor('float32', init, shape)
  feeds[io.params[i].m] = new ort.Tensor('float32', new Float32Array(init.length), shape)
  feeds[io.params[i].v] = new ort.Tensor('float32', new Float32Array(init.length), shape)
})
feeds[io.step] = new ort.Tensor('float32', Float32Array.of(1), [])
feeds[io.lr] = new ort.Tensor('float32', Float32Array.of(1e-5), [])
feeds[io.weightDecay] = new ort.Tensor('float32', Float32Array.of(0.01), [])
const wall: number[] = []
for (let s = 0; s <= steps; s++) {
  feeds.dropout_seed = new ort.Tensor('int64', BigInt64Array.of(BigInt(s + 1)), [])
  const t0 = performance.now()
  await session.run(feeds)
  wall.push(performance.now() - t0)
}
session.endProfiling()
await session.release()
const file = readdirSync(dir).find((f) => f.startsWith('step'))!
const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
  cat: string
  name: string
  dur: number
  args?: { op_name?: string }
}[]
// Skip the warm-up run: kernel events of the first run are the ones before the 2nd model_run.
const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run')
const byOp = new Map<string, number>()
let total = 0
const nodeEvents = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'))
const perRun = nodeEvents.length / runs.length
nodeEvents.slice(perRun).forEach((e) => {
  const op = e.args?.op_name ?? '?'
  byOp.set(op, (byOp.get(op) ?? 0) + e.dur)
  total += e.dur
})
const rows = [...byOp].sort((x, y) => y[1] - x[1])
console.log(
  `steps ${steps}, wall ms per step ${wall.map(Math.round).join(' ')}, kernel ms/step ${(total / steps / 1000).toFixed(0)}, model_run ms ${runs.map((r) => Math.round(r.dur / 1000)).join(' ')}`,
)
for (const [op, us] of rows.slice(0, 30)) {
  console.log(
    `${op.padEnd(28)} ${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / steps / 1000).toFixed(1)} ms`,
  )
}
if (!process.env.OUT) rmSync(dir, { recursive: true, force: true })
if (process.env.NODES) {
  const byNode = new Map<string, { op: string; us: number; shape: string }>()
  nodeEvents.slice(perRun).forEach((e) => {
    const a = e.args as {
      op_name?: string
      output_type_shape?: unknown
      activation_size?: string
      output_size?: string
    }
    const cur = byNode.get(e.name) ?? {
      op: a.op_name ?? '?',
      us: 0,
      shape: JSON.stringify(a.output_type_shape ?? ''),
    }
    cur.us += e.dur
    byNode.set(e.name, cur)
  })
  const top = [...byNode].sort((x, y) => y[1].us - x[1].us).slice(0, Number(process.env.NODES))
  for (const [name, r] of top)
    console.log(
      `${(r.us / steps / 1000).toFixed(1).padStart(6)} ms ${r.op.padEnd(14)} ${name.slice(0, 50).padEnd(50)} ${r.shape.slice(0, 80)}`,
    )
}
if (process.env.DTYPES) {
  const byType = new Map<string, number>()
  nodeEvents.slice(perRun).forEach((e) => {
    const a = e.args as { op_name?: string; output_type_shape?: Record<string, number[]>[] }
    const t = Object.keys(a.output_type_shape?.[0] ?? {})[0] ?? '?'
    const shape = Object.values(a.output_type_shape?.[0] ?? {})[0] ?? []
    const key = `${a.op_name}:${t}:${shape.length === 4 ? 'attn' : shape.length === 3 ? 'act' : 'param/other'}`
    byType.set(key, (byType.get(key) ?? 0) + e.dur)
  })
  for (const [k, us] of [...byType].sort((x, y) => y[1] - x[1]).slice(0, 40))
    console.log(`${k.padEnd(40)} ${((100 * us) / total).toFixed(1).padStart(5)} %`)
}
