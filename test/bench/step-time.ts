// Times MiniLM training steps (batch 16, 2 threads; best of 3 after a warm-up per padded length)
// and reports the process peak RSS: the quick before/after check for step speed and memory.
// Env: LENGTHS=128 (comma list: a run's bucketed lengths), BATCH=16, THREADS=2, MEM_ARENA=1|0.
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { createBertAdapter } from '../../main/ml/models/bert-adapter'
import { createGraphStepRunner } from '../../main/ml/train/graph-step-runner'

const batch = Number(process.env.BATCH ?? 16)
const lengths = (process.env.LENGTHS ?? '128').split(',').map(Number)
const adapter = await createBertAdapter(join(process.cwd(), 'resources/models/all-MiniLM-L6-v2'), {
  numClasses: 2,
  maxLength: Math.max(...lengths),
})
const runner = await createGraphStepRunner(
  { graph: adapter.graph, weightDecay: 0.01, clipNorm: 1 },
  'cpu',
  {
    threads: Number(process.env.THREADS ?? 2),
    memArena: process.env.MEM_ARENA !== '0',
  },
)
const best: Record<number, number> = {}
let step = 0
for (const length of lengths) {
  const items = Array.from({ length: batch }, (_, r) => {
    const ids = Array.from({ length }, (_, i) =>
      i === 0 ? 101 : 1000 + ((r * 131 + i * 17) % 20000),
    )
    return { ids, length }
  })
  for (let s = 0; s < 4; s++) {
    const feeds = adapter.feeds(items, length)
    feeds.labels = new ort.Tensor(
      'int64',
      BigInt64Array.from(items, (_, i) => BigInt(i % 2)),
      [batch],
    )
    feeds.dropout_seed = new ort.Tensor('int64', BigInt64Array.of(BigInt(++step)), [])
    feeds.class_weights = new ort.Tensor('float32', Float32Array.of(1, 1), [2])
    const t0 = performance.now()
    await runner.step(feeds, 1e-5)
    const ms = performance.now() - t0
    if (s > 0) best[length] = Math.min(best[length] ?? Infinity, Math.round(ms))
  }
}
await runner.release()
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
console.log(
  JSON.stringify({ batch, memArena: process.env.MEM_ARENA !== '0', bestMs: best, peakRssMb }),
)
