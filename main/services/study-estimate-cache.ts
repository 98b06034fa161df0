// The step-time calibration of this computer, per model, device and thread count, kept in the
// workspace so a second study does not probe again; an onnxruntime upgrade, another thread count
// or a changed model folder makes it stale. Also the probe run as a job (the real train step).
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import type { JobService } from '../jobs/job-service'
import type { StepProbeInput, StepProbeResult } from '../jobs/step-probe-job'
import { BERT_DEFAULTS } from '../ml/train/defaults'
import { writeFileAtomic } from '../shared/atomic-file'
import { defaultThreads } from '../ml/runtime/sessions'
import {
  batchFlops,
  fitStepCost,
  readModelShape,
  type CalibrationSource,
  type EstimateRequest,
  type StepCalibration,
} from './study-estimate'

/** What a calibration is valid for. */
export interface CalibrationKey {
  model: string
  /** sha256 of the model's config.json (a replaced model folder probes again). */
  config: string
  device: string
  threads: number
  onnxruntime: string
}

interface CacheEntry extends CalibrationKey {
  calibration: StepCalibration
  provider: string
  probedAt: string
}

export function onnxruntimeVersion(): string {
  try {
    const require = createRequire(import.meta.url)
    return (require('onnxruntime-node/package.json') as { version: string }).version
  } catch {
    return 'unknown'
  }
}

export function calibrationKey(
  r: EstimateRequest,
  onnxruntime = onnxruntimeVersion(),
): CalibrationKey {
  const configPath = join(r.key, 'config.json')
  return {
    model: resolve(r.key),
    config: existsSync(configPath)
      ? createHash('sha256').update(readFileSync(configPath)).digest('hex')
      : '',
    device: r.device ?? 'auto',
    threads: r.threads ?? defaultThreads(),
    onnxruntime,
  }
}

const sameKey = (a: CalibrationKey, b: CalibrationKey) =>
  a.model === b.model &&
  a.config === b.config &&
  a.device === b.device &&
  a.threads === b.threads &&
  a.onnxruntime === b.onnxruntime

/** The workspace's calibrations (a small JSON file). */
export class CalibrationCache {
  constructor(private readonly path: string) {}

  private read(): CacheEntry[] {
    try {
      const v = JSON.parse(readFileSync(this.path, 'utf8')) as { entries?: CacheEntry[] }
      return Array.isArray(v.entries) ? v.entries : []
    } catch {
      return [] // missing or unreadable: probe again
    }
  }

  /** The calibration for `key`, if it timed lengths up to the longest of `lengths`. */
  get(key: CalibrationKey, lengths: number[] = []): StepCalibration | undefined {
    const c = this.read().find((e) => sameKey(e, key))?.calibration
    const longest = Math.max(0, ...lengths)
    return c && Math.max(0, ...(c.lengths ?? [])) >= longest ? c : undefined
  }

  /** Stores a calibration; older ones of the same model and device (stale) are dropped. */
  set(key: CalibrationKey, calibration: StepCalibration, provider: string, at = new Date()): void {
    const kept = this.read().filter((e) => !(e.model === key.model && e.device === key.device))
    const entry: CacheEntry = { ...key, calibration, provider, probedAt: at.toISOString() }
    writeFileAtomic(this.path, JSON.stringify({ entries: [...kept, entry] }, null, 2))
  }
}

/** Calibration from timed probe batches. */
export function calibrationOf(
  r: Pick<EstimateRequest, 'key'>,
  p: StepProbeResult,
  jobWallSeconds: number,
): StepCalibration {
  const shape = readModelShape(r.key)
  const points = (xs: StepProbeResult['train'], train: boolean) =>
    xs.map((x) => ({ flops: batchFlops(shape, x.size, x.length, train), seconds: x.seconds }))
  return {
    train: fitStepCost(points(p.train, true)),
    eval: fitStepCost(points(p.eval, false)),
    setupSeconds: p.setupSeconds,
    checkpointSeconds: p.checkpointSeconds,
    jobStartSeconds: Math.max(0, jobWallSeconds - p.totalSeconds),
    lengths: [...new Set(p.train.map((x) => x.length))],
  }
}

/** Cached calibrations, else the probe as a 'step-probe' job (then cached). */
export function workspaceCalibration(
  jobs: JobService,
  cachePath: string,
  now: () => number = () => performance.now(),
): CalibrationSource {
  const cache = new CalibrationCache(cachePath)
  return {
    cached: (r, lengths) => cache.get(calibrationKey(r), lengths),
    probe: async (r, lengths) => {
      const key = calibrationKey(r)
      const input: StepProbeInput = {
        modelDir: r.key,
        numClasses: Math.max(2, r.numClasses ?? 2),
        maxLength: r.maxLength,
        lengthMultiple: r.lengthMultiple ?? BERT_DEFAULTS.lengthMultiple,
        batchSize: r.batchSize ?? BERT_DEFAULTS.batchSize,
        lengths,
        device: r.device ?? 'auto',
        ...(r.threads !== undefined ? { threads: r.threads } : {}),
      }
      const t0 = now()
      const final = await jobs.start('step-probe', input).done
      const wall = (now() - t0) / 1000
      if (final.status !== 'success') {
        throw new Error(final.error?.message ?? `the timing probe ended: ${final.status}`)
      }
      const result = final.result
      const calibration = calibrationOf(r, result, wall)
      cache.set(key, calibration, result.provider)
      return calibration
    },
  }
}
