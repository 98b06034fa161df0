// On a provider reported as 'cuda' (a fake session factory that runs on the CPU, with a fake clock
// of 200 ms per run), the trainer times its first single steps, chooses K from them and then runs
// the K-step ONNX Loop graph; weights and losses are those of one step per call on the CPU.
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import {
  createBaselineAdapter,
  type BaselineEncoded,
} from '../../../main/ml/models/baseline-adapter'
import { SessionProvider } from '../../../main/ml/runtime'
import {
  createGraphStepRunner,
  type GraphStepRunner,
} from '../../../main/ml/train/graph-step-runner'
import { MEASURED_STEPS } from '../../../main/ml/train/loop-k-choice'
import { trainClassifier, type TrainerOptions } from '../../../main/ml/train/trainer'
import { config, fixtureTraining } from '../ml/train/k-step-fixture'

interface Made {
  loop: boolean
  asked: string
  runs: number[] // the leading dim of `lr` per run: 0 for a scalar (single step), K for a Loop
}

/** Sessions reported on `provider` but run on the CPU; each run advances the fake clock 200 ms. */
function fakeProvider(failLoopOnGpu = false) {
  const made: Made[] = []
  let now = 0
  const sessions = new SessionProvider(async (model, options) => {
    const loop = Buffer.from(model).includes('Loop')
    const asked = String(options.executionProviders?.[0])
    if (failLoopOnGpu && loop && asked !== 'cpu') throw new Error('out of memory')
    const s = await ort.InferenceSession.create(model, { ...options, executionProviders: ['cpu'] })
    const m: Made = { loop, asked, runs: [] }
    made.push(m)
    const run = s.run.bind(s)
    s.run = (async (feeds: Record<string, ort.Tensor>) => {
      m.runs.push(feeds.lr.dims[0] ?? 0)
      now += 200
      return run(feeds)
    }) as typeof s.run
    return s
  })
  return { made, sessions, clock: () => now }
}

function options(
  createRunner: TrainerOptions<BaselineEncoded>['createRunner'],
  losses: number[],
): TrainerOptions<BaselineEncoded> {
  // The baseline's default K (8) on the CPU; on CUDA the runner measures its own.
  return { ...fixtureTraining(createRunner, losses), epochs: 2, stepsPerCall: 8 }
}

describe('CUDA training: K from the measured step time', () => {
  it('runs the Loop graph with the chosen K and matches one step per call', async () => {
    const fake = fakeProvider()
    let runner: GraphStepRunner | undefined
    const onGpu: number[] = []
    const gpu = await trainClassifier(
      options(async (req) => {
        runner = await createGraphStepRunner(req, 'cuda', {
          threads: 1,
          sessions: fake.sessions,
          clock: fake.clock,
        })
        return runner
      }, onGpu),
    )
    const onCpu: number[] = []
    const cpu = await trainClassifier(
      options((req) => createGraphStepRunner(req, 'cpu', { threads: 1, stepsPerCall: 1 }), onCpu),
    )

    expect(gpu.provider).toBe('cuda')
    // 32 texts in batches of 3: 11 steps an epoch. A 200 ms step with ~1 MB of state:
    // ceil((0.75 − x) / (0.2 − x)) = 4 steps per call, bounded by the call length.
    expect(runner!.stepsPerCall).toBe(4)
    expect(runner!.loopK).toMatchObject({ k: 4, bound: 'call' })
    expect(fake.made.map((m) => [m.loop, m.asked])).toEqual([
      [false, 'cuda'],
      [true, 'cuda'],
    ])
    const [single, loop] = fake.made
    // Every Loop run got exactly K = 4 stacked batches; the first MEASURED_STEPS ran singly.
    expect(loop.runs.length).toBeGreaterThan(0)
    expect(new Set(loop.runs)).toEqual(new Set([4]))
    expect(single.runs.every((d) => d === 0)).toBe(true)
    expect(single.runs.length).toBeGreaterThanOrEqual(MEASURED_STEPS)
    expect(single.runs.length + 4 * loop.runs.length).toBe(2 * 11)

    expect(onGpu).toHaveLength(onCpu.length)
    onGpu.forEach((l, i) => expect(Math.abs(l - onCpu[i])).toBeLessThan(1e-5))
    let worst = 0
    for (const [name, w] of cpu.weights) {
      const u = gpu.weights.get(name)!
      for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i] - u[i]))
    }
    expect(worst).toBeLessThan(1e-5)
  })

  it('keeps a K the caller fixed, and measures nothing', async () => {
    const fake = fakeProvider()
    const adapter = createBaselineAdapter(config, 8)
    const runner = await createGraphStepRunner(
      { graph: adapter.graph, weightDecay: 0, clipNorm: 5, stepsPerEpoch: 11 },
      'cuda',
      { threads: 1, sessions: fake.sessions, clock: fake.clock, stepsPerCall: 2 },
    )
    expect(runner.provider).toBe('cuda')
    expect(runner.stepsPerCall).toBe(2)
    expect(runner.loopK).toBeUndefined()
    await runner.release()
  })

  it("keeps the request's K on the CPU, as before", async () => {
    const fake = fakeProvider()
    const adapter = createBaselineAdapter(config, 8)
    const runner = await createGraphStepRunner(
      { graph: adapter.graph, weightDecay: 0, clipNorm: 5, stepsPerCall: 8, stepsPerEpoch: 11 },
      'cpu',
      { threads: 1, sessions: fake.sessions, clock: fake.clock },
    )
    expect(runner.provider).toBe('cpu')
    expect(runner.stepsPerCall).toBe(8)
    expect(fake.made.map((m) => m.loop)).toEqual([false, true])
    await runner.release()
  })

  it('stays at one step per call when the Loop graph cannot run on CUDA', async () => {
    const fake = fakeProvider(true)
    const losses: number[] = []
    let runner: GraphStepRunner | undefined
    await trainClassifier({
      ...options(async (req) => {
        runner = await createGraphStepRunner(req, 'cuda', {
          threads: 1,
          sessions: fake.sessions,
          clock: fake.clock,
        })
        return runner
      }, losses),
      epochs: 1,
    })
    // The Loop model fell back to the CPU: released, and every step ran singly on 'cuda'.
    expect(runner!.loopK?.k).toBe(4)
    expect(runner!.stepsPerCall).toBe(1)
    expect(fake.made.map((m) => [m.loop, m.asked])).toEqual([
      [false, 'cuda'],
      [true, 'cpu'],
    ])
    expect(fake.made[0].runs).toHaveLength(11)
    expect(fake.made[1].runs).toHaveLength(0)
    expect(losses).toHaveLength(11)
  })
})
