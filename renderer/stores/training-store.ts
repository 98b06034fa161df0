// The training run started from each project's train tab (run id ↔ job id), kept while the user
// labels or looks elsewhere, so coming back shows the live progress again; after a reload the
// link is rebuilt from the running job's progress, which names its run.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { TrainingConfigInput, TrainingDefaultsDto } from '../../preload/contract'
import { cts } from '../api'
import { useJobsStore } from './jobs-store'

export interface ActiveTraining {
  projectId: number
  runId: number
  jobId: string
}

export const useTrainingStore = defineStore('training', () => {
  const active = ref<Record<number, ActiveTraining>>({})
  const defaults = ref<TrainingDefaultsDto | null>(null)
  /** The auto-recipe study last started from each project's train tab. */
  const studies = ref<Record<number, number>>({})
  /** The train form as last edited per project, so a return to the tab keeps the choices. */
  const forms = ref<
    Record<
      number,
      Required<Omit<TrainingConfigInput, 'classWeights' | 'freezeEmbeddings' | 'freezeLayers'>> & {
        classWeights: boolean
      }
    >
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

  /** The auto recipe: a study of candidate runs; the study panel follows it. */
  async function startStudy(projectId: number, config: TrainingConfigInput): Promise<number> {
    const { studyId } = await cts().studies.start({ projectId, config })
    studies.value[projectId] = studyId
    return studyId
  }

  async function resume(projectId: number, runId: number): Promise<ActiveTraining> {
    const started = await cts().training.resume({ runId })
    active.value[projectId] = { projectId, runId: started.runId, jobId: started.jobId }
    return active.value[projectId]!
  }

  /**
   * When nothing is active for the project (a reloaded window), a running train job of one of its
   * runs becomes active again. Needs the jobs store started (its list read).
   */
  function relink(projectId: number, runIds: readonly number[]): ActiveTraining | undefined {
    if (active.value[projectId]) return active.value[projectId]
    const job = useJobsStore().runningTrainJob(runIds)
    if (job?.runId === undefined) return undefined
    active.value[projectId] = { projectId, runId: job.runId, jobId: job.jobId }
    return active.value[projectId]
  }

  return { active, defaults, forms, studies, loadDefaults, start, startStudy, resume, relink }
})
