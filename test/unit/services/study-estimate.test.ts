// A study's time estimates: overhead × steps + FLOPs ÷ speed over the batches the batching makes,
// calibrated by an injected probe (no real timing here), cached per model/device/threads/runtime,
// replaced by measured epochs; the per-epoch refinement and its message.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StepProbeResult } from '../../../main/jobs/step-probe-job'
import {
  batchFlops,
  batchPlan,
  CalibratedEstimator,
  fitStepCost,
  planSeconds,
  PRIOR_CALIBRATION,
  probeLengths,
  readModelShape,
  tokenLengths,
  type BatchPlan,
  type CalibrationSource,
  type EstimateRequest,
  type StepCalibration,
} from '../../../main/services/study-estimate'
import {
  BASELINE_SECONDS_PER_CHARACTER,
  BASELINE_SECONDS_PER_TEXT,
} from '../../../main/services/study-estimate'
import {
  CalibrationCache,
  calibrationKey,
  calibrationOf,
} from '../../../main/services/study-estimate-cache'
import { EpochTracker } from '../../../main/services/study-estimate-refine'
import { refinedNote } from '../../../main/services/study-messages'
import { TINY_FIXTURE } from '../ml/models/tiny-model'

const shape = { params: 1e6, layers: 2, hidden: 64 }
const cal: StepCalibration = {
  train: { overhead: 0.05, flopsPerSecond: 1e10 },
  eval: { overhead: 0.01, flopsPerSecond: 2e10 },
  setupSeconds: 2,
  checkpointSeconds: 0.5,
  jobStartSeconds: 1,
  lengths: [16, 32],
}

describe('step cost model', () => {
  it('counts 2 × params per token and attention, ×3 to train', () => {
    // 16 × (2e6 × 32 + 4 × 2 × 32² × 64) = 16 × (64e6 + 524,288)
    expect(batchFlops(shape, 16, 32, false)).toBe(16 * (64e6 + 524_288))
    expect(batchFlops(shape, 16, 32, true)).toBe(3 * 16 * (64e6 + 524_288))
  })

  it('estimates an epoch as overhead × steps + FLOPs ÷ speed over the padded batches', () => {
    const plan: BatchPlan = {
      train: [
        { size: 16, length: 32 },
        { size: 4, length: 16 },
      ],
      dev: [{ size: 16, length: 16 }],
      finalDev: [{ size: 20, length: 16 }],
    }
    const train32 = 3 * 16 * (2e6 * 32 + 4 * 2 * 32 * 32 * 64)
    const train16 = 3 * 4 * (2e6 * 16 + 4 * 2 * 16 * 16 * 64)
    const dev16 = 16 * (2e6 * 16 + 4 * 2 * 16 * 16 * 64)
    const final16 = 20 * (2e6 * 16 + 4 * 2 * 16 * 16 * 64)
    const got = planSeconds(cal, shape, plan)
    expect(got.epochSeconds).toBeCloseTo(
      0.05 * 2 + (train32 + train16) / 1e10 + 0.01 + dev16 / 2e10 + 0.5,
      12,
    )
    expect(got.startSeconds).toBe(1 + 2)
    expect(got.finishSeconds).toBeCloseTo(2 + 0.01 + final16 / 2e10, 12)
  })

  it('fits overhead and speed to timed batches, and falls back on noise', () => {
    const line = [1e9, 4e9, 9e9].map((flops) => ({ flops, seconds: 0.2 + flops / 5e9 }))
    const fit = fitStepCost(line)
    expect(fit.overhead).toBeCloseTo(0.2, 12)
    expect(fit.flopsPerSecond).toBeCloseTo(5e9, 0)
    // Longer batches timed faster (a busy computer): no overhead, the mean speed.
    expect(
      fitStepCost([
        { flops: 1e9, seconds: 2 },
        { flops: 3e9, seconds: 1 },
      ]),
    ).toEqual({ overhead: 0, flopsPerSecond: 2e9 / 1.5 })
  })

  it('plans the batches the trainer will make: dev sorted by length, padded to 16s', () => {
    const o = { batchSize: 2, maxLength: 32, lengthMultiple: 16, seed: 42 } as const
    const lengths = [3, 20, 40, 7, 12]
    const plan = batchPlan(lengths, [3, 20, 40], { ...o, batching: 'random' })
    expect(plan.dev).toEqual([
      { size: 2, length: 32 },
      { size: 1, length: 32 },
    ])
    expect(plan.finalDev).toEqual([{ size: 3, length: 32 }])
    expect(plan.train.map((b) => b.size).sort()).toEqual([1, 2, 2])
    for (const b of plan.train) expect([16, 32]).toContain(b.length)
  })

  it('probes the longest batch length and a short one', () => {
    const plan = (ls: number[]): BatchPlan => ({
      train: ls.map((length) => ({ size: 16, length })),
      dev: [],
      finalDev: [],
    })
    expect(probeLengths(plan([128, 128, 128, 128, 128, 128, 128, 128, 128, 96]))).toEqual([64, 128])
    expect(probeLengths(plan([16, 32, 32, 48, 16, 32, 32, 32, 32, 32]))).toEqual([16, 48])
    expect(probeLengths(plan([16, 16]))).toEqual([16])
  })
})

/** An estimate request on the tiny model's tokenizer. */
const request = (): EstimateRequest => ({
  key: TINY_FIXTURE,
  kind: 'bert',
  trainTexts: [
    'the patient has a fever',
    'no complaints today',
    'cough',
    'severe headache and nausea',
  ],
  devTexts: ['fever', 'no fever today'],
  maxLength: 16,
  batchSize: 2,
  seed: 42,
  batching: 'random',
  device: 'cpu',
  threads: 2,
})

async function expectedPlan(r: EstimateRequest): Promise<BatchPlan> {
  return batchPlan(
    await tokenLengths(r.key, r.trainTexts, r.maxLength),
    await tokenLengths(r.key, r.devTexts, r.maxLength),
    { batchSize: 2, maxLength: 16, lengthMultiple: 16, seed: 42, batching: 'random' },
  )
}

describe('CalibratedEstimator', () => {
  it('probes once (its time reported), then estimates from the calibration, then from measurements', async () => {
    let clock = 0
    const probes: number[][] = []
    const source: CalibrationSource = {
      cached: () => undefined,
      probe: async (_r, lengths) => {
        probes.push(lengths)
        clock += 7000 // the probe "takes" 7 s
        return cal
      },
    }
    const e = new CalibratedEstimator(source, () => clock)
    const r = request()
    const plan = await expectedPlan(r)
    const want = planSeconds(cal, readModelShape(TINY_FIXTURE), plan)
    expect(await e.estimate(r)).toEqual({ ...want, basis: 'probed', probeSeconds: 7 })
    expect(probes).toEqual([probeLengths(plan)])
    expect(await e.estimate(r)).toEqual({ ...want, basis: 'probed' })
    expect(probes).toHaveLength(1)
    e.observe(TINY_FIXTURE, { epochSeconds: 12, startSeconds: 3 })
    expect(await e.estimate(r)).toEqual({
      epochSeconds: 12,
      startSeconds: 3,
      finishSeconds: want.finishSeconds,
      basis: 'measured',
    })
  })

  it('uses a cached calibration without probing', async () => {
    const e = new CalibratedEstimator({
      cached: () => cal,
      probe: async () => {
        throw new Error('must not probe')
      },
    })
    const r = request()
    const want = planSeconds(cal, readModelShape(TINY_FIXTURE), await expectedPlan(r))
    expect(await e.estimate(r)).toEqual({ ...want, basis: 'cached probe' })
  })

  it('falls back to the prior when the probe fails, and says why', async () => {
    let clock = 0
    const e = new CalibratedEstimator(
      {
        cached: () => undefined,
        probe: async () => {
          clock += 2000
          throw new Error('the model folder has no weights')
        },
      },
      () => clock,
    )
    const r = request()
    const want = planSeconds(PRIOR_CALIBRATION, readModelShape(TINY_FIXTURE), await expectedPlan(r))
    expect(await e.estimate(r)).toEqual({
      ...want,
      basis: 'prior',
      probeSeconds: 2,
      probeError: 'the model folder has no weights',
    })
    expect(await e.estimate(r)).toEqual({ ...want, basis: 'prior' })
  })

  it('estimates the baseline from its prior per text, then from its measurement', async () => {
    const e = new CalibratedEstimator({ cached: () => undefined })
    const r: EstimateRequest = { ...request(), key: 'baseline', kind: 'baseline' }
    // The whole fit: per text and per character (the four texts have 73 characters).
    expect(await e.estimate(r)).toEqual({
      epochSeconds: BASELINE_SECONDS_PER_TEXT * 4 + BASELINE_SECONDS_PER_CHARACTER * 73,
      startSeconds: 0,
      finishSeconds: 0,
      basis: 'prior',
    })
    e.observe('baseline', { epochSeconds: 0.5 })
    expect((await e.estimate(r)).epochSeconds).toBe(0.5)
  })
})

describe('calibration cache', () => {
  const tempModel = () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cts-est-model-')), 'tiny-bert')
    mkdirSync(dir)
    for (const f of ['config.json', 'vocab.txt']) copyFileSync(join(TINY_FIXTURE, f), join(dir, f))
    return dir
  }

  it('hits for the same model, device, threads and onnxruntime; misses when any changes', () => {
    const dir = tempModel()
    const cache = new CalibrationCache(join(mkdtempSync(join(tmpdir(), 'cts-est-')), 'c.json'))
    const r = { ...request(), key: dir }
    const key = calibrationKey(r, '1.30.0')
    expect(cache.get(key)).toBeUndefined()
    cache.set(key, cal, 'cpu', new Date('2026-12-06T09:00:00Z'))
    expect(cache.get(key, [32])).toEqual(cal)
    expect(cache.get(calibrationKey({ ...r, threads: 1 }, '1.30.0'))).toBeUndefined()
    expect(cache.get(calibrationKey(r, '1.31.0'))).toBeUndefined()
    expect(cache.get(calibrationKey({ ...r, device: 'cuda' }, '1.30.0'))).toBeUndefined()
    // A longer batch than the probe timed: probe again rather than extrapolate upwards.
    expect(cache.get(key, [64])).toBeUndefined()
    // A replaced model folder (another config.json) is another model.
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 3 }))
    expect(cache.get(calibrationKey(r, '1.30.0'))).toBeUndefined()
  })

  it('replaces a stale entry of the same model and device (new threads or runtime)', () => {
    const dir = tempModel()
    const path = join(mkdtempSync(join(tmpdir(), 'cts-est-')), 'c.json')
    const cache = new CalibrationCache(path)
    const r = { ...request(), key: dir }
    cache.set(calibrationKey(r, '1.30.0'), cal, 'cpu')
    cache.set(calibrationKey({ ...r, device: 'auto' }, '1.30.0'), cal, 'cpu')
    const upgraded = { ...cal, setupSeconds: 9 }
    cache.set(calibrationKey(r, '1.31.0'), upgraded, 'cpu')
    const entries = JSON.parse(readFileSync(path, 'utf8')).entries as {
      device: string
      onnxruntime: string
    }[]
    expect(entries.map((x) => [x.device, x.onnxruntime])).toEqual([
      ['auto', '1.30.0'],
      ['cpu', '1.31.0'],
    ])
    expect(cache.get(calibrationKey(r, '1.31.0'))).toEqual(upgraded)
  })

  it('turns probe timings into a calibration (the job start is the wall time it did not report)', () => {
    const s = readModelShape(TINY_FIXTURE)
    const at = (length: number, train: boolean, overhead: number, speed: number) => ({
      size: 16,
      length,
      seconds: overhead + batchFlops(s, 16, length, train) / speed,
    })
    const p: StepProbeResult = {
      provider: 'cpu',
      train: [at(64, true, 0.3, 2e10), at(128, true, 0.3, 2e10)],
      eval: [at(64, false, 0.05, 5e10), at(128, false, 0.05, 5e10)],
      setupSeconds: 2.5,
      checkpointSeconds: 1.5,
      totalSeconds: 20,
    }
    const c = calibrationOf({ key: TINY_FIXTURE }, p, 23)
    expect(c.train.overhead).toBeCloseTo(0.3, 9)
    expect(c.train.flopsPerSecond / 2e10).toBeCloseTo(1, 9)
    expect(c.eval.overhead).toBeCloseTo(0.05, 9)
    expect(c.eval.flopsPerSecond / 5e10).toBeCloseTo(1, 9)
    expect([c.setupSeconds, c.checkpointSeconds, c.jobStartSeconds, c.lengths]).toEqual([
      2.5,
      1.5,
      3,
      [64, 128],
    ])
  })
})

describe('refinement after each epoch', () => {
  const training = (epoch: number) => ({ phase: 'training', metrics: { epoch, epochs: 5 } })
  const devF1 = (epoch: number) => ({
    phase: 'evaluating',
    metrics: { epoch, epochs: 5, devMacroF1: 0.5 },
  })

  it('measures seconds per epoch from the progress and re-plans the candidate', () => {
    // Started at 1 s; first step at 4 s; epochs end at 14, 24, 36 s; 2 s to finish estimated.
    const t = new EpochTracker(1000, 5, 2)
    expect(t.progress({ phase: 'preparing' }, 1500)).toBeUndefined()
    expect(t.progress(training(1), 4000)).toBeUndefined()
    expect(
      t.progress({ phase: 'evaluating', metrics: { epoch: 1, epochs: 5 } }, 13000),
    ).toBeUndefined()
    expect(t.progress(devF1(1), 14000)).toEqual({
      epochs: 1,
      epochSeconds: 10,
      startSeconds: 3,
      spentSeconds: 13,
      candidateSeconds: 13 + 4 * 10 + 2,
    })
    expect(t.progress(devF1(1), 14500)).toBeUndefined()
    t.progress(training(2), 15000)
    expect(t.progress(devF1(2), 24000)?.candidateSeconds).toBe(23 + 3 * 10 + 2)
    // From the second epoch on: the mean of the epochs after the first.
    expect(t.progress(devF1(3), 36000)).toEqual({
      epochs: 3,
      epochSeconds: 11,
      startSeconds: 3,
      spentSeconds: 35,
      candidateSeconds: 35 + 2 * 11 + 2,
    })
    expect(t.finishedSeconds(40000)).toBe(4)
  })

  it('without dev texts, an epoch ends when the next starts', () => {
    const t = new EpochTracker(0, 3, 0)
    t.progress(training(1), 1000)
    expect(t.progress(training(1), 5000)).toBeUndefined()
    expect(t.progress(training(2), 9000)?.epochSeconds).toBe(8)
  })

  it('says what was measured, what is left and whether a next learning rate fits', () => {
    const r = {
      epochs: 2,
      epochSeconds: 12,
      startSeconds: 4,
      spentSeconds: 30,
      candidateSeconds: 80,
    }
    const o = { epochsAllowed: 6, firstEpochSeconds: 9, budgetLeft: 120 }
    expect(refinedNote('MiniLM lr 1e-4', r, o)).toBe(
      'MiniLM lr 1e-4: epoch 2/6 done, 12 s per epoch measured (estimated 9 s); at most 50 s more for this candidate, 70 s of the budget left after it',
    )
    expect(refinedNote('MiniLM lr 1e-4', r, { ...o, nextSeconds: 45 })).toBe(
      'MiniLM lr 1e-4: epoch 2/6 done, 12 s per epoch measured (estimated 9 s); at most 50 s more for this candidate, 70 s of the budget left after it; a next learning rate needs about 45 s for 3 epochs and fits',
    )
    expect(refinedNote('MiniLM lr 1e-4', r, { ...o, nextSeconds: 80 })).toBe(
      'MiniLM lr 1e-4: epoch 2/6 done, 12 s per epoch measured (estimated 9 s); at most 50 s more for this candidate, 70 s of the budget left after it; a next learning rate needs about 80 s for 3 epochs, more than is left, so it will be skipped unless early stopping ends this one sooner',
    )
  })
})
