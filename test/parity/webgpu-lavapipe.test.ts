// WebGPU proven on a software adapter: Mesa's lavapipe (scripts/setup.sh installs Debian's
// bookworm-backports mesa-vulkan-drivers, Mesa 25; Mesa 22.3 is refused by Dawn) runs a few steps of
// the BERT training graph and a prediction on the 'webgpu' provider, matching the CPU within 1e-4.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  copyTokenizerFiles,
  inferenceModelBytes,
  loadClassifierBundle,
  saveClassifierBundle,
} from '../../main/ml/infer/classifier-bundle'
import { createBertAdapter } from '../../main/ml/models/bert-adapter'
import { parseBertConfig } from '../../main/ml/models/bert-config'
import {
  createSession,
  placementLine,
  readPlacement,
  type DeviceChoice,
  type SessionHandle,
} from '../../main/ml/runtime'
import { createGraphStepRunner, type GraphStepRunner } from '../../main/ml/train/graph-step-runner'
import { trainClassifier } from '../../main/ml/train/trainer'
import { tempDir, writeTinyBertFolder } from '../unit/ml/infer/bundles'
import { randomWeights } from '../unit/ml/models/bert-random'

const texts = ['fever and cough', '发热 咳嗽', 'normal checkup', '体检 正常', 'chest pain', '胸痛']
const labels = [1, 1, 0, 0, 1, 0]
const modelDir = writeTinyBertFolder('cls', 2, 5)
const options = { numClasses: 2, maxLength: 16, lengthMultiple: 8, initSeed: 3 }
const opened: SessionHandle[] = []
afterAll(async () => {
  for (const h of opened) await h.session.release()
})

async function fineTune(device: DeviceChoice) {
  const losses: number[] = []
  let runner: GraphStepRunner | undefined
  const r = await trainClassifier({
    adapter: await createBertAdapter(modelDir, options),
    train: { texts, labels },
    epochs: 2,
    batchSize: 3,
    learningRate: 1e-2,
    warmupRatio: 0,
    weightDecay: 0.01,
    clipNorm: 1,
    patience: 5,
    seed: 3,
    classWeights: false,
    createRunner: async (req) => {
      runner = await createGraphStepRunner(req, device, { threads: 1, stepsPerCall: 1 })
      return runner
    },
    onProgress: (p) => {
      if (p.phase === 'training') losses.push(p.loss!)
    },
  })
  return { weights: r.weights, losses, provider: runner!.provider, placement: runner!.placement }
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
  return worst
}

describe('WebGPU on the lavapipe software adapter', () => {
  it('a small fine-tune and a prediction on webgpu match the CPU within 1e-4', async () => {
    const cpu = await fineTune('cpu')
    const gpu = await fineTune('webgpu')
    expect(gpu.provider).toBe('webgpu')
    expect(cpu.placement).toBeNull() // the CPU is not profiled
    // Where the training graph's nodes ran on webgpu: most on the GPU, the rest named.
    const placed = gpu.placement!
    expect(placed.nodesByProvider.webgpu).toBeGreaterThan(placed.totalNodes / 2)
    expect(Object.values(placed.nodesByProvider).reduce((a, b) => a + b, 0)).toBe(placed.totalNodes)
    expect(placed.cpuNodes).toHaveLength(placed.nodesByProvider.cpu ?? 0)
    console.log(
      `training graph on webgpu: ${JSON.stringify(placed.nodesByProvider)}; ${placementLine(placed, 'webgpu')}`,
    )
    const config = parseBertConfig(JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')))
    const start = randomWeights(config, 2, 'cls', 5)
    // 2 epochs of 2 steps: the weights really moved, and moved the same way on both providers.
    expect(cpu.losses).toHaveLength(4)
    expect(maxDiff(gpu.losses, cpu.losses)).toBeLessThan(1e-4)
    let moved = 0
    for (const [name, w] of cpu.weights) {
      // Softmax ignores a bias added to every key, so its gradient is rounding noise (~1e-9) whose
      // sign differs by provider, and AdamW turns any sign into a full ±lr step: no parity there,
      // and no effect on the logits (checked below).
      if (name.endsWith('attention.self.key.bias')) continue
      expect(maxDiff(gpu.weights.get(name)!, w), name).toBeLessThan(1e-4)
      moved = Math.max(moved, maxDiff(w, start.get(name)!.data))
    }
    expect(moved).toBeGreaterThan(1e-3)

    // Prediction: each provider's fine-tuned weights, exported and run on that provider.
    const logits: Float32Array[] = []
    for (const [device, weights] of [
      ['cpu', cpu.weights],
      ['webgpu', gpu.weights],
    ] as const) {
      const trained = await createBertAdapter(modelDir, { ...options, weights })
      const h = await createSession(inferenceModelBytes(trained), { device, threads: 1 })
      opened.push(h)
      expect(h.provider).toBe(device)
      const feeds = trained.feeds(
        texts.map((t) => trained.encode(t)),
        options.maxLength,
      )
      logits.push((await h.session.run(feeds)).logits.data as Float32Array)
      const p = readPlacement(h.session)
      if (device === 'cpu') expect(p).toBeNull()
      else {
        expect(p!.nodesByProvider.webgpu).toBeGreaterThan(0)
        console.log(
          `prediction graph on webgpu: ${JSON.stringify(p!.nodesByProvider)}; ${placementLine(p!, 'webgpu')}`,
        )
      }
    }
    expect(logits[0]).toHaveLength(texts.length * 2)
    expect(maxDiff(logits[1], logits[0])).toBeLessThan(1e-4)

    // The app's own prediction path records the placement after its first batch.
    const bundle = tempDir('cts-webgpu-bundle-')
    const trained = await createBertAdapter(modelDir, { ...options, weights: gpu.weights })
    copyTokenizerFiles(modelDir, bundle)
    saveClassifierBundle(bundle, trained, ['健康', '疾病'])
    const model = await loadClassifierBundle(bundle, 'webgpu', { threads: 1 })
    expect(model.placement!()).toEqual({})
    const probs = await model.predict(texts)
    const recorded = model.placement!()
    await model.release()
    expect(probs).toHaveLength(texts.length * 2)
    expect(recorded.placement!.nodesByProvider.webgpu).toBeGreaterThan(0)
    expect(recorded.placementMessage).toMatch(
      /^\d+ of \d+ nodes ran on the CPU instead of WEBGPU: /,
    )
  })
})
