// StepRunner over the emitted train-step graph (buildTrainStep): parameters and AdamW moments stay
// on the host between calls; a non-finite loss leaves them untouched (the call is discarded).
// With stepsPerCall K > 1 a second session runs K steps inside one ONNX Loop (stepMany).
import * as ort from 'onnxruntime-node'
import {
  createSession,
  type DeviceChoice,
  type SessionHandle,
  type SessionProvider,
} from '../runtime'
import { readPlacement, type ProviderPlacement } from '../runtime/provider-placement'
import type { CheckpointTensor } from './checkpoint'
import type { RunnerRequest } from './trainer'
import type { StepRunner } from './step-runner'
import { buildTrainStep, type TrainStepIO } from './train-step'
import { RowSparseTable } from './row-sparse-state'
import { chooseLoopK, MEASURED_STEPS, measuresLoopK, type LoopKChoice } from './loop-k-choice'

export interface GraphStepRunner extends StepRunner {
  /** Set when the requested device was unavailable and the CPU ran instead. */
  readonly fallbackMessage?: string
  /** On CUDA: the K chosen from the measured step time (loop-k-choice.ts), once chosen. */
  readonly loopK?: LoopKChoice
  /** On a GPU provider: where the training graph's nodes ran (provider-placement.ts), after the first call. */
  readonly placement?: ProviderPlacement | null
}

export interface GraphStepRunnerOptions {
  /** onnxruntime intra-op threads (default: every core). */
  threads?: number
  /**
   * Optimiser steps per session call (ONNX Loop), overriding the request's; 1 builds only the
   * single-step model.
   */
  stepsPerCall?: number
  /** onnxruntime's CPU memory arena (default on). */
  memArena?: boolean
  /**
   * onnxruntime's memory pattern (default off here). With it ORT lays out one block per batch
   * shape for all of the step's intermediates and keeps it; a training step holds its forward
   * activations until the backward pass, and length buckets give many shapes. Off, a 256-token
   * MiniLM step peaks ~1.2 GB lower and is no slower (graph/API.md, speed notes).
   */
  memPattern?: boolean
  /**
   * onnxruntime's thread pools spin while waiting for work (default off here). On the shared
   * 2-core machine, steps without spinning were 1.4–1.6× faster (median wall, two interleaved
   * A/B runs with the roles swapped; test/bench/step-time-ab.ts with SPIN_OFF): a spinning pool
   * thread takes the core its partner needs whenever another process runs.
   */
  spinning?: boolean
  /**
   * Feed large embedding tables with only the rows batches have read (row-sparse-state.ts;
   * default on). Off, the whole table crosses to onnxruntime and back at every call: MiniLM's
   * word embeddings are 11.7 M of its 22.7 M weights, each with two AdamW moments.
   */
  sparseRows?: boolean
  /** Where sessions come from (default: the process-wide one); tests pass a fake provider. */
  sessions?: Pick<SessionProvider, 'create'>
  /** Milliseconds clock timing the first steps on CUDA (default performance.now). */
  clock?: () => number
}

export async function createGraphStepRunner(
  req: RunnerRequest,
  device: DeviceChoice = 'auto',
  threadsOrOptions?: number | GraphStepRunnerOptions,
): Promise<GraphStepRunner> {
  const o: GraphStepRunnerOptions =
    typeof threadsOrOptions === 'number' ? { threads: threadsOrOptions } : (threadsOrOptions ?? {})
  const g = req.graph
  const fixedK = Math.max(1, Math.floor(o.stepsPerCall ?? req.stepsPerCall ?? 1))
  const spec = (stepsPerCall: number) => ({
    inputs: [...g.batchInputs, g.labels, g.dropoutSeed],
    // Class weights are fed once per call, whatever K is.
    sharedInputs: [g.classWeights],
    loss: g.loss,
    trainable: g.trainable,
    decayMask: g.decayMask,
    clipNorm: req.clipNorm,
    stepsPerCall,
    sparseRows: o.sparseRows ?? true,
  })
  const session = (model: Uint8Array) =>
    (o.sessions ? o.sessions.create.bind(o.sessions) : createSession)(model, {
      device,
      threads: o.threads,
      memArena: o.memArena,
      memPattern: o.memPattern ?? false,
      spinning: o.spinning ?? false,
    })
  const single = buildTrainStep(spec(1))
  const handle = await session(single.model)
  let loop: { io: TrainStepIO; handle: SessionHandle } | undefined
  // On CUDA K is measured (loop-k-choice.ts) unless the caller fixed it; elsewhere as requested.
  const measure = o.stepsPerCall === undefined && measuresLoopK(handle.provider)
  let k = measure ? 1 : fixedK
  const clock = o.clock ?? (() => performance.now())
  const timed: number[] = []
  let loopK: LoopKChoice | undefined
  if (k > 1) {
    const built = buildTrainStep(spec(k))
    loop = { io: built.io, handle: await session(built.model) }
  }
  const io = single.io
  const values = new Map<string, Float32Array>()
  const m = new Map<string, Float32Array>()
  const v = new Map<string, Float32Array>()
  const tables = new Map<string, RowSparseTable>()
  g.trainable.forEach((p, i) => {
    const pio = io.params[i]
    // No copy: state arrays are only ever replaced (by run outputs or load), never written.
    const init = (p.source as { init: Float32Array }).init
    if (pio.rows) {
      tables.set(pio.name, new RowSparseTable(pio, init, g.decayMask[i]))
      return
    }
    values.set(pio.name, init)
    m.set(pio.name, new Float32Array(init.length))
    v.set(pio.name, new Float32Array(init.length))
  })
  /** A step's feeds plus each row-sparse table's local row positions (activating new rows). */
  const withLocalIds = (feeds: Record<string, ort.Tensor>): Record<string, ort.Tensor> => {
    if (!tables.size) return feeds
    const out = { ...feeds }
    for (const t of tables.values()) {
      const ids = feeds[t.io.rows!.ids]
      out[t.io.rows!.local] = new ort.Tensor(
        'int64',
        t.localIds(ids.data as BigInt64Array),
        ids.dims,
      )
    }
    return out
  }
  let steps = 0
  // Read once per session, after its first run (profiling stops then).
  const placements = new Map<SessionHandle, ProviderPlacement | null>()
  const wd = new ort.Tensor('float32', Float32Array.of(req.weightDecay), [])

  /** Params/moments/step/weight decay feeds; outputs back into the host state unless poisoned. */
  async function call(
    h: SessionHandle,
    sio: TrainStepIO,
    feeds: Record<string, ort.Tensor>,
    lrs: number[],
  ): Promise<number[]> {
    const all: Record<string, ort.Tensor> = { ...feeds }
    for (const p of sio.params) {
      const table = tables.get(p.name)
      if (table) {
        const f = table.feeds()
        all[p.input] = new ort.Tensor('float32', f.p, f.dims)
        all[p.m] = new ort.Tensor('float32', f.m, f.dims)
        all[p.v] = new ort.Tensor('float32', f.v, f.dims)
        continue
      }
      all[p.input] = new ort.Tensor('float32', values.get(p.name)!, p.shape)
      all[p.m] = new ort.Tensor('float32', m.get(p.name)!, p.shape)
      all[p.v] = new ort.Tensor('float32', v.get(p.name)!, p.shape)
    }
    all[sio.step] = new ort.Tensor('float32', Float32Array.of(steps + 1), [])
    all[sio.lr] =
      sio.stepsPerCall > 1
        ? new ort.Tensor('float32', Float32Array.from(lrs), [lrs.length])
        : new ort.Tensor('float32', Float32Array.of(lrs[0]), [])
    all[sio.weightDecay] = wd
    const out = await h.session.run(all)
    if (!placements.has(h)) placements.set(h, readPlacement(h.session))
    const losses = Array.from(out[sio.loss].data as Float32Array)
    // A poisoned step must not reach the weights: keep the previous state (all K steps).
    if (!losses.every(Number.isFinite)) return losses
    for (const p of sio.params) {
      const [pOut, mOut, vOut] = [p.output, p.mOut, p.vOut].map((n) => out[n].data as Float32Array)
      const table = tables.get(p.name)
      if (table) table.update(pOut, mOut, vOut, lrs, req.weightDecay)
      else {
        values.set(p.name, pOut)
        m.set(p.name, mOut)
        v.set(p.name, vOut)
      }
    }
    steps += lrs.length
    return losses
  }

  /** K from the warm step times; builds the K-step Loop session (kept at 1 if it is not on CUDA). */
  async function chooseK(feeds: Record<string, ort.Tensor>): Promise<void> {
    let stateBytes = 0
    for (const a of values.values()) stateBytes += 3 * a.byteLength
    let batchBytes = 0
    for (const b of io.batchInputs) batchBytes += (feeds[b.name].data as Float32Array).byteLength
    loopK = chooseLoopK({
      stepSeconds: Math.min(...timed.slice(1)),
      stateBytes,
      batchBytes,
      stepsPerEpoch: req.stepsPerEpoch ?? Infinity,
    })
    if (loopK.k < 2) return
    const built = buildTrainStep(spec(loopK.k))
    const h = await session(built.model)
    if (h.provider !== handle.provider) {
      await h.session.release()
      return
    }
    loop = { io: built.io, handle: h }
    k = loopK.k
  }

  return {
    provider: handle.provider,
    fallbackMessage: handle.fallbackMessage,
    get stepsPerCall() {
      return k
    },
    get loopK() {
      return loopK
    },
    get placement() {
      return (loop && placements.get(loop.handle)) ?? placements.get(handle)
    },
    get steps() {
      return steps
    },
    async step(feeds, learningRate) {
      const started = clock()
      const all = withLocalIds(feeds)
      const [loss] = await call(handle, io, all, [learningRate])
      if (measure && !loopK) {
        timed.push((clock() - started) / 1000)
        if (timed.length >= MEASURED_STEPS) await chooseK(all)
      }
      return { loss }
    },
    async stepMany(batches, learningRates) {
      if (!loop || batches.length !== k || learningRates.length !== k) {
        throw new Error(`stepMany: this runner takes exactly ${k} batches per call`)
      }
      const feeds = stackFeeds(batches.map(withLocalIds), loop.io)
      return { losses: await call(loop.handle, loop.io, feeds, learningRates) }
    },
    weights: () => {
      const all = new Map(values)
      for (const [name, t] of tables) all.set(name, t.values())
      return all
    },
    state() {
      const s: Record<string, CheckpointTensor> = {}
      for (const p of io.params) {
        const table = tables.get(p.name)
        const moments = table?.moments()
        s[p.name] = { dims: p.shape, data: table?.values() ?? values.get(p.name)! }
        s[`m/${p.name}`] = { dims: p.shape, data: moments?.m ?? m.get(p.name)! }
        s[`v/${p.name}`] = { dims: p.shape, data: moments?.v ?? v.get(p.name)! }
      }
      s['#steps'] = { dims: [1], data: Float32Array.of(steps) }
      return s
    },
    load(state) {
      // Check every tensor before changing anything: a mismatch leaves the runner as it was.
      const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1)
      for (const p of io.params) {
        for (const key of [p.name, `m/${p.name}`, `v/${p.name}`]) {
          if (state[key]?.data.length !== size(p.shape)) {
            throw new Error(`the checkpoint does not match this model (${key})`)
          }
        }
      }
      for (const p of io.params) {
        const [pv, mv, vv] = [p.name, `m/${p.name}`, `v/${p.name}`].map((key) => state[key].data)
        const table = tables.get(p.name)
        if (table) table.load(pv, mv, vv)
        else {
          values.set(p.name, pv)
          m.set(p.name, mv)
          v.set(p.name, vv)
        }
      }
      steps = state['#steps']?.data[0] ?? 0
    },
    async release() {
      await handle.session.release()
      await loop?.handle.session.release()
    },
  }
}

/** K per-step feeds (same dims) stacked along a new leading axis; shared inputs taken from the first. */
function stackFeeds(
  batches: Record<string, ort.Tensor>[],
  sio: TrainStepIO,
): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {}
  for (const b of sio.batchInputs) {
    const parts = batches.map((f) => f[b.name])
    const dims = parts[0].dims
    if (parts.some((t) => t.dims.join() !== dims.join())) {
      throw new Error(`stepMany: the batches differ in the shape of ${b.name}`)
    }
    const n = parts[0].data.length
    const Typed = parts[0].data.constructor as Float32ArrayConstructor
    const data = new Typed(n * parts.length)
    parts.forEach((t, i) => data.set(t.data as Float32Array, i * n))
    out[b.name] = new ort.Tensor(parts[0].type as 'float32', data as Float32Array, [
      parts.length,
      ...dims,
    ])
  }
  for (const s of sio.sharedInputs) out[s.name] = batches[0][s.name]
  return out
}
