// K optimiser steps per session call (an ONNX Loop) through the trainer: the same batches give the
// same weights and losses as one step per call, with a tail of single steps where no K batches fit.
import { describe, expect, it } from 'vitest'
import { createBaselineAdapter } from '../../../../main/ml/models/baseline-adapter'
import { createGraphStepRunner } from '../../../../main/ml/train/graph-step-runner'
import { trainClassifier, type TrainerOptions } from '../../../../main/ml/train/trainer'
import type { BaselineEncoded } from '../../../../main/ml/models/baseline-adapter'
import { config, data, fixtureTraining } from './k-step-fixture'

let loopCalls = 0

function options(stepsPerCall: number, losses: number[]): TrainerOptions<BaselineEncoded> {
  return fixtureTraining(async (req) => {
    const r = await createGraphStepRunner(req, 'cpu', { threads: 1, stepsPerCall })
    const many = r.stepMany!.bind(r)
    r.stepMany = (batches, lrs) => {
      loopCalls++
      return many(batches, lrs)
    }
    return r
  }, losses)
}

describe('trainClassifier with K steps per call', () => {
  it('gives the weights and losses of one step per call', async () => {
    const one: number[] = []
    const four: number[] = []
    const a = await trainClassifier(options(1, one))
    loopCalls = 0
    const b = await trainClassifier(options(4, four))
    // 32 texts in batches of 3: 11 batches an epoch, the first 8 in two Loop calls, 3 singly.
    expect(loopCalls).toBe(3 * 2)
    const stepsPerEpoch = Math.ceil(data.texts.length / 3)
    // The epoch does not divide into calls of 4, or its last batch is smaller: a tail runs singly.
    expect(stepsPerEpoch % 4 !== 0 || data.texts.length % 3 !== 0).toBe(true)
    expect(four).toHaveLength(3 * stepsPerEpoch)
    expect(one).toHaveLength(four.length)
    four.forEach((l, i) => expect(Math.abs(l - one[i])).toBeLessThan(1e-5))
    let worst = 0
    for (const [name, w] of a.weights) {
      const u = b.weights.get(name)!
      for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i] - u[i]))
    }
    expect(worst).toBeLessThan(1e-5)
    // The weights really moved from the start, so the comparison is not vacuous.
    const init = createBaselineAdapter(config, 8).graph.trainable
    const moved = init.some((p, i) => {
      const w0 = (p.source as { init: Float32Array }).init
      const w = [...a.weights.values()][i]
      return w.some((x, j) => Math.abs(x - w0[j]) > 1e-3)
    })
    expect(moved).toBe(true)
  })
})
