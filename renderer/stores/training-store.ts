// The training run started from each project's train tab (run id ↔ job id), kept while the user
// labels or looks elsewhere, so coming back shows the live progress again.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { TrainingConfigInput, TrainingDefaultsDto } from '../../preload/contract'
import { cts } from '../api'

export interface ActiveTraining {
  projectId: number
  runId: number
  jobId: string
}

export const useTrainingStore = defineStore('training', () => {
  const active = ref<Record<number, ActiveTraining>>({})
  const defaults = ref<TrainingDefaultsDto | null>(null)
  /** The train form as last edited per project, so a return to the tab keeps the choices. */
  const forms = ref<
    Record<number, Required<Omit<TrainingConfigInput, 'classWeights'>> & { classWeights: boolean }>
  >({})

  async function loadDefaults(): Promise<TrainingDefaultsDto> {
    defaults.value ??= await cts().training.defaults({})
    return defaults.value
  }

  async function start(projectId: number, config: TrainingConfigInput): Promise<ActiveTraining> {
    const { runId, jobId } = await cts().training.start({ projectId, config })
    active.value[projectId] = { projectId, runId, jobId }
    return active.value[projectId]!
  }

  async function resume(projectId: number, runId: number): Promise<ActiveTraining> {
    const started = await cts().training.resume({ runId })
    active.value[projectId] = { projectId, runId: started.runId, jobId: started.jobId }
    return active.value[projectId]!
  }

  return { active, defaults, forms, loadDefaults, start, resume }
})
