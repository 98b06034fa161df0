// Running and finished jobs as pushed by main ('jobs/progress'), with each training job's loss and
// dev-metric history kept here so the live charts survive leaving and re-entering the train tab.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { JobProgressDto } from '../../preload/contract'
import { cts } from '../api'
import { LOSS_POINTS_KEPT } from '../ui-settings'

export interface JobHistory {
  /** (step, loss) pairs in arrival order, thinned to LOSS_POINTS_KEPT. */
  loss: { step: number; loss: number }[]
  /** Dev macro-F1 after each finished epoch. */
  devF1: { epoch: number; f1: number }[]
}

export const useJobsStore = defineStore('jobs', () => {
  const jobs = ref<Record<string, JobProgressDto>>({})
  const history = ref<Record<string, JobHistory>>({})
  let unsubscribe: (() => void) | null = null
  const listeners = new Set<(job: JobProgressDto) => void>()

  function apply(job: JobProgressDto): void {
    jobs.value[job.jobId] = job
    const h = (history.value[job.jobId] ??= { loss: [], devF1: [] })
    if (job.loss !== undefined && Number.isFinite(job.loss) && job.step !== undefined) {
      const last = h.loss[h.loss.length - 1]
      if (!last || last.step !== job.step) h.loss.push({ step: job.step, loss: job.loss })
      // Keep every other point once the curve is long: its shape stays, the DOM stays small.
      if (h.loss.length > LOSS_POINTS_KEPT) h.loss = h.loss.filter((_, i) => i % 2 === 0)
    }
    // Only trainings (alone or inside a cross-validation) report epochs.
    const m = job.kind === 'train' || job.kind === 'cv' ? job.metrics : undefined
    const epoch = m?.epoch
    const f1 = m?.devMacroF1
    if (epoch !== undefined && f1 !== undefined && !h.devF1.some((d) => d.epoch === epoch)) {
      h.devF1.push({ epoch, f1 })
    }
    for (const l of listeners) l(job)
  }

  /** Subscribes to pushed progress once and reads the jobs already running. */
  async function start(): Promise<void> {
    if (unsubscribe) return
    unsubscribe = cts().on('jobs/progress', apply)
    for (const job of await cts().jobs.list({})) if (!jobs.value[job.jobId]) apply(job)
  }

  /** Called on every progress event (e.g. to reload a run when its job ends). */
  function onProgress(listener: (job: JobProgressDto) => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  /** The running 'train' job of one of these runs (progress names its run), newest first. */
  function runningTrainJob(runIds: readonly number[]): JobProgressDto | undefined {
    const ids = new Set(runIds)
    return Object.values(jobs.value)
      .filter((j) => j.kind === 'train' && j.status === 'running' && ids.has(j.runId ?? -1))
      .sort((a, b) => (b.runId ?? 0) - (a.runId ?? 0))[0]
  }

  async function cancel(jobId: string): Promise<boolean> {
    return (await cts().jobs.cancel({ jobId })).cancelled
  }

  return { jobs, history, start, onProgress, runningTrainJob, cancel }
})
