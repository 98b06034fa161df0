// StepRunner over the emitted train-step graph (buildTrainStep): parameters and AdamW moments stay
// on the host between calls; a non-finite loss leaves them untouched (the step is discarded).
import * as ort from 'onnxruntime-node'
import { createSession, type DeviceChoice } from '../runtime'
import type { CheckpointTensor } from './checkpoint'
import type { RunnerRequest } from './trainer'
import type { StepRunner } from './step-runner'
import { buildTrainStep } from './train-step'

export interface GraphStepRunner extends StepRunner {
  /** Set when the requested device was unavailable and the CPU ran instead. */
  readonly fallbackMessage?: string
}

export async function createGraphStepRunner(
  req: RunnerRequest,
  device: DeviceChoice = 'auto',
  threads?: number,
): Promise<GraphStepRunner> {
  const g = req.graph
  const { model, io } = buildTrainStep({
    inputs: [...g.batchInputs, g.labels, g.dropoutSeed, g.classWeights],
    loss: g.loss,
    trainable: g.trainable,
    decayMask: g.decayMask,
    clipNorm: req.clipNorm,
  })
  const handle = await createSession(model, { device, threads })
  const values = new Map<string, Float32Array>()
  const m = new Map<string, Float32Array>()
  const v = new Map<string, Float32Array>()
  g.trainable.forEach((p, i) => {
    const name = io.params[i].name
    values.set(name, Float32Array.from((p.source as { init: Float32Array }).init))
    m.set(name, new Float32Array(values.get(name)!.length))
    v.set(name, new Float32Array(values.get(name)!.length))
  })
  let steps = 0
  const wd = new ort.Tensor('float32', Float32Array.of(req.weightDecay), [])

  return {
    provider: handle.provider,
    fallbackMessage: handle.fallbackMessage,
    get steps() {
      return steps
    },
    async step(feeds, learningRate) {
      const all: Record<string, ort.Tensor> = { ...feeds }
      for (const p of io.params) {
        all[p.input] = new ort.Tensor('float32', values.get(p.name)!, p.shape)
        all[p.m] = new ort.Tensor('float32', m.get(p.name)!, p.shape)
        all[p.v] = new ort.Tensor('float32', v.get(p.name)!, p.shape)
      }
      all[io.step] = new ort.Tensor('float32', Float32Array.of(steps + 1), [])
      all[io.lr] = new ort.Tensor('float32', Float32Array.of(learningRate), [])
      all[io.weightDecay] = wd
      const out = await handle.session.run(all)
      const loss = (out[io.loss].data as Float32Array)[0]
      // A poisoned step must not reach the weights: keep the previous state.
      if (!Number.isFinite(loss)) return { loss }
      for (const p of io.params) {
        values.set(p.name, out[p.output].data as Float32Array)
        m.set(p.name, out[p.mOut].data as Float32Array)
        v.set(p.name, out[p.vOut].data as Float32Array)
      }
      steps++
      return { loss }
    },
    weights: () => new Map(values),
    state() {
      const s: Record<string, CheckpointTensor> = {}
      for (const p of io.params) {
        s[p.name] = { dims: p.shape, data: values.get(p.name)! }
        s[`m/${p.name}`] = { dims: p.shape, data: m.get(p.name)! }
        s[`v/${p.name}`] = { dims: p.shape, data: v.get(p.name)! }
      }
      s['#steps'] = { dims: [1], data: Float32Array.of(steps) }
      return s
    },
    load(state) {
      for (const p of io.params) {
        for (const [map, key] of [
          [values, p.name],
          [m, `m/${p.name}`],
          [v, `v/${p.name}`],
        ] as const) {
          const t = state[key]
          if (!t || t.data.length !== values.get(p.name)!.length) {
            throw new Error(`the checkpoint does not match this model (${key})`)
          }
          map.set(p.name, t.data)
        }
      }
      steps = state['#steps']?.data[0] ?? 0
    },
    release: () => handle.session.release(),
  }
}
