// Times one MiniLM training step (batch 16 x 128 tokens, 2 threads, best of 3 after a warm-up)
// and reports the process peak RSS: the quick before/after check for step-level speed changes.
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { createBertAdapter } from '../../main/ml/models/bert-adapter'
import { createGraphStepRunner } from '../../main/ml/train/graph-step-runner'

const batch = Number(process.env.BATCH ?? 16)
const length = Number(process.env.LENGTH ?? 128)
const adapter = await createBertAdapter(join(process.cwd(), 'resources/models/all-MiniLM-L6-v2'), {
  numClasses: 2,
  maxLength: length,
})
const g = adapter.graph
const runner = await createGraphStepRunner(
  { graph: g, weightDecay: 0.01, clipNorm: 1 },
  'cpu',
  Number(process.env.THREADS ?? 2),
)
const items = Array.from({ length: batch }, (_, r) => {
  const ids = Array.from({ length }, (_, i) => (i === 0 ? 101 : 1000 + ((r * 131 + i * 17) % 20000)))
  return { ids, length }
})
const times: number[] = []
for (let s = 0; s < 4; s++) {
  const feeds = adapter.feeds(items, length)
  feeds.labels = new ort.Tensor('int64', BigInt64Array.from(items, (_, i) => BigInt(i % 2)), [batch])
  feeds.dropout_seed = new ort.Tensor('int64', BigInt64Array.of(BigInt(s + 1)), [])
  feeds.class_weights = new ort.Tensor('float32', Float32Array.of(1, 1), [2])
  const t0 = performance.now()
  await runner.step(feeds, 1e-5)
  if (s > 0) times.push(performance.now() - t0)
}
await runner.release()
console.log(
  JSON.stringify({
    batch,
    length,
    bestMs: Math.round(Math.min(...times)),
    allMs: times.map(Math.round),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
)
