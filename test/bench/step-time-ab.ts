// A/B of MiniLM training-step time between two checkouts of the app (e.g. the last commit exported
// to a temp dir, against this working tree), in ONE process: each side's graph is built by its own
// code, their steps interleave (A, B, A, B …) so both see the same load on shared cores. Prints
// each side's best and median step (wall ms and process CPU ms: CPU time is far less sensitive to
// other processes than wall time) and the ratios. With RSS=1 each side then also runs
// test/bench/step-time.ts alone for its peak RSS.
//   BASE=/tmp/base npx tsx test/bench/step-time-ab.ts   (LENGTH=128 BATCH=16 THREADS=2 STEPS=6 RSS=0)
// VARIANTS=/tmp/v1,/tmp/v2 adds further checkouts between A and this tree (one change each), each
// compared with A. The same root may be listed twice, e.g. with SPIN_ON=B to A/B a session option.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'

const base = process.env.BASE
if (!base) throw new Error('set BASE to the root of the checkout to compare against')
const length = Number(process.env.LENGTH ?? 128)
const batch = Number(process.env.BATCH ?? 16)
const steps = Number(process.env.STEPS ?? 6)
const model = join(process.cwd(), 'resources/models/all-MiniLM-L6-v2')

interface Side {
  name: string
  root: string
  adapter: { graph: unknown; feeds: (items: unknown[], len: number) => Record<string, ort.Tensor> }
  runner: {
    step: (f: Record<string, ort.Tensor>, lr: number) => Promise<unknown>
    release: () => Promise<void>
  }
  wall: number[]
  cpu: number[]
}
const sides: Side[] = []
const roots = [base, ...(process.env.VARIANTS?.split(',').filter(Boolean) ?? []), process.cwd()]
for (const [k, root] of roots.entries()) {
  const name = String.fromCharCode(65 + k)
  const { createBertAdapter } = await import(join(root, 'main/ml/models/bert-adapter.ts'))
  const { createGraphStepRunner } = await import(join(root, 'main/ml/train/graph-step-runner.ts'))
  const adapter = await createBertAdapter(model, { numClasses: 2, maxLength: length })
  const runner = await createGraphStepRunner(
    { graph: adapter.graph, weightDecay: 0.01, clipNorm: 1 },
    'cpu',
    {
      threads: Number(process.env.THREADS ?? 2),
      // SPIN_ON=B / SPIN_OFF=B: that side runs with / without onnxruntime's spin-waiting.
      ...(process.env.SPIN_ON?.split(',').includes(name) ? { spinning: true } : {}),
      ...(process.env.SPIN_OFF?.split(',').includes(name) ? { spinning: false } : {}),
    },
  )
  sides.push({ name, root, adapter, runner, wall: [], cpu: [] })
}
const items = Array.from({ length: batch }, (_, r) => ({
  ids: Array.from({ length }, (_, i) => (i === 0 ? 101 : 1000 + ((r * 131 + i * 17) % 20000))),
  length,
}))
for (let s = 0; s <= steps; s++) {
  for (const side of sides) {
    const feeds = side.adapter.feeds(items, length)
    feeds.labels = new ort.Tensor(
      'int64',
      BigInt64Array.from(items, (_, i) => BigInt(i % 2)),
      [batch],
    )
    feeds.dropout_seed = new ort.Tensor('int64', BigInt64Array.of(BigInt(s + 1)), [])
    feeds.class_weights = new ort.Tensor('float32', Float32Array.of(1, 1), [2])
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await side.runner.step(feeds, 1e-5)
    const ms = performance.now() - t0
    const c = process.cpuUsage(c0)
    // The first step of each side warms up (allocations, kernel choice).
    if (s > 0) {
      side.wall.push(ms)
      side.cpu.push((c.user + c.system) / 1000)
    }
  }
}
for (const side of sides) await side.runner.release()
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]
const stat = (xs: number[]) => ({
  best: Math.round(Math.min(...xs)),
  median: Math.round(median(xs)),
})
const a = sides[0]
for (const side of sides) {
  console.log(
    JSON.stringify({
      side: side.name,
      root: side.root,
      length,
      batch,
      wallMs: stat(side.wall),
      cpuMs: stat(side.cpu),
    }),
  )
}
for (const b of sides.slice(1)) {
  console.log(
    `length ${length}: speed-up ${b.name}/A wall best ${(Math.min(...a.wall) / Math.min(...b.wall)).toFixed(3)}, ` +
      `wall median ${(median(a.wall) / median(b.wall)).toFixed(3)}, ` +
      `CPU median ${(median(a.cpu) / median(b.cpu)).toFixed(3)}`,
  )
}
if (process.env.RSS === '1') {
  for (const side of sides) {
    const out = execFileSync(
      join(side.root, 'node_modules/.bin/tsx'),
      [join(side.root, 'test/bench/step-time.ts')],
      {
        cwd: side.root,
        encoding: 'utf8',
        env: { ...process.env, LENGTHS: String(length) },
      },
    )
    console.log(
      `peak RSS ${side.name}: ${JSON.parse(out.trim().split('\n').pop() as string).peakRssMb} MB`,
    )
  }
}
