// Contract handlers for the base models ('models/list', 'models/import', 'models/installable',
// 'models/install') over the models service, so the training form can offer every model with its
// licence and the Install dialog can install a pinned one from a wheel file.
import type { z } from 'zod'
import { modelsArgs, type ModelsResults } from '../../preload/contract/models'
import type { ModelsService } from './models-service'
import { validArgs } from './valid-args'

type Args<C extends keyof typeof modelsArgs> = z.input<(typeof modelsArgs)[C]>
type Handler<C extends keyof typeof modelsArgs> = (a: Args<C>) => Promise<ModelsResults[C]>

export function modelsHandlers(models: ModelsService): {
  [C in keyof typeof modelsArgs]: Handler<C>
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
    'models/installable': async (a) => {
      validArgs(modelsArgs['models/installable'], a)
      return models.installable()
    },
    'models/install': async (a) => {
      const { id, wheel, acceptLicense } = validArgs(modelsArgs['models/install'], a)
      return models.install(id, wheel, acceptLicense)
    },
  }
}
