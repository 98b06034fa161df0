// Base models known to this workspace ('models/list'), read once; also turns a run's base model
// id ('default', 'baseline', an imported name) into the name a clinician recognises.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ModelSummaryDto, RunDto } from '../../preload/contract'
import { cts } from '../api'

export const useModelsStore = defineStore('models', () => {
  const models = ref<ModelSummaryDto[]>([])
  let loading: Promise<void> | null = null

  function load(force = false): Promise<void> {
    if (!loading || force) {
      loading = cts()
        .models.list({})
        .then((list) => {
          models.value = list
        })
        .catch((e) => {
          loading = null
          throw e
        })
    }
    return loading
  }

  /** `baselineName` for the baseline, the model's own name otherwise. */
  function displayName(run: Pick<RunDto, 'modelKind' | 'baseModel'>, baselineName: string): string {
    if (run.modelKind === 'baseline') return baselineName
    return models.value.find((m) => m.id === run.baseModel)?.name ?? run.baseModel
  }

  return { models, load, displayName }
})
