// The K rule (optimiser steps per ONNX Loop call on CUDA) from given step times, and the
// prediction batch size per provider (main/ml/train/loop-k-choice.ts).
import { describe, expect, it } from 'vitest'
import { chooseLoopK, measuresLoopK, predictBatchSize } from '../../../main/ml/train/loop-k-choice'

// MiniLM-L12: 33.4 M parameters; params + two AdamW moments in float32.
const MINILM_STATE = 33_400_000 * 4 * 3
const BATCH_16x128 = 16 * 128 * 8 * 3 + 16 * 8 + 8

describe('chooseLoopK', () => {
  it('fills a call of ~0.75 s when the transfer is negligible', () => {
    // 1 MB of state: x = 2 MB / 8 GB/s = 0.25 ms; c = 99.75 ms → ceil(0.74975 / 0.09975) = 8.
    const r = chooseLoopK({
      stepSeconds: 0.1,
      stateBytes: 1e6,
      batchBytes: 1000,
      stepsPerEpoch: 700,
    })
    expect(r).toEqual({ k: 8, bound: 'call', transferSeconds: 0.00025, computeSeconds: 0.09975 })
  })

  it('amortises the transfer of MiniLM parameters and moments (bounded by 32)', () => {
    // x = 2 × 400.8 MB / 8 GB/s = 0.1002 s of a 0.13 s step; c = 0.0298 s:
    // K_call = ceil(0.6498 / 0.0298) = 22, K_amort = ceil(0.1002 / 0.00298) = 34 → capped at 32.
    const r = chooseLoopK({
      stepSeconds: 0.13,
      stateBytes: MINILM_STATE,
      batchBytes: BATCH_16x128,
      stepsPerEpoch: 700,
    })
    expect(r.k).toBe(32)
    expect(r.bound).toBe('max')
    expect(r.transferSeconds).toBeCloseTo(0.1002, 6)
  })

  it('lets the transfer decide when it dominates a call that is already long', () => {
    // x = 0.1002 s, t1 = 0.8 s: K_call = 1, K_amort = ceil(0.1002 / 0.06998) = 2.
    const r = chooseLoopK({
      stepSeconds: 0.8,
      stateBytes: MINILM_STATE,
      batchBytes: BATCH_16x128,
      stepsPerEpoch: 700,
    })
    expect(r).toMatchObject({ k: 2, bound: 'transfer' })
  })

  it('takes 1 when one step already lasts longer than a call should', () => {
    expect(
      chooseLoopK({ stepSeconds: 2, stateBytes: 1e6, batchBytes: 1000, stepsPerEpoch: 700 }).k,
    ).toBe(1)
  })

  it('never exceeds the steps of one epoch', () => {
    const r = chooseLoopK({
      stepSeconds: 0.01,
      stateBytes: 1e6,
      batchBytes: 1000,
      stepsPerEpoch: 11,
    })
    expect(r).toMatchObject({ k: 11, bound: 'epoch' })
    // An epoch of one step has no room for a Loop.
    expect(
      chooseLoopK({ stepSeconds: 0.01, stateBytes: 1e6, batchBytes: 1000, stepsPerEpoch: 1 }).k,
    ).toBe(1)
  })

  it('keeps the K stacked batches within 256 MiB', () => {
    // 100 MiB per batch: at most 2 fit.
    const r = chooseLoopK({
      stepSeconds: 0.01,
      stateBytes: 1e6,
      batchBytes: 100 * 1024 * 1024,
      stepsPerEpoch: 700,
    })
    expect(r).toMatchObject({ k: 2, bound: 'memory' })
  })

  it('measures K on CUDA only (the CPU keeps the model family default)', () => {
    expect(measuresLoopK('cuda')).toBe(true)
    expect(measuresLoopK('cpu')).toBe(false)
    expect(measuresLoopK('webgpu')).toBe(false)
  })
})

describe('predictBatchSize', () => {
  it("keeps the caller's batch on the CPU", () => {
    expect(predictBatchSize('cpu', 16, 128)).toBe(16)
    expect(predictBatchSize('cpu', 64, 512)).toBe(64)
  })

  it('uses 256 texts at 128 tokens on cuda and webgpu', () => {
    expect(predictBatchSize('cuda', 16, 128)).toBe(256)
    expect(predictBatchSize('webgpu', 64, 128)).toBe(256)
    expect(predictBatchSize('cuda', 16, 64)).toBe(256)
  })

  it('keeps the token budget for longer texts, never below the request', () => {
    expect(predictBatchSize('cuda', 16, 512)).toBe(64)
    expect(predictBatchSize('cuda', 100, 512)).toBe(100)
    expect(predictBatchSize('cuda', 512, 128)).toBe(512)
  })
})
