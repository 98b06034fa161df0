// Contract handlers for the base-model list and import ('models/list', 'models/import') over the
// models service, so the training form can offer imported models.
import type { z } from 'zod'
import { modelsArgs, type ModelsResults } from '../../preload/contract/models'
import type { ModelsService } from './models-service'
import { validArgs } from './valid-args'

type Args<C extends keyof typeof modelsArgs> = z.input<(typeof modelsArgs)[C]>

export function modelsHandlers(models: ModelsService): {
  'models/list': (a: Args<'models/list'>) => Promise<ModelsResults['models/list']>
  'models/import': (a: Args<'models/import'>) => Promise<ModelsResults['models/import']>
} {
  return {
    'models/list': async (a) => {
      validArgs(modelsArgs['models/list'], a)
      return models.list()
    },
    'models/import': async (a) => {
      const { dir, name } = validArgs(modelsArgs['models/import'], a)
      return models.import(dir, name)
    },
  }
}
