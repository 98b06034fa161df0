// Tests that build a TrainingService by hand give it the model choice main/root would: over the
// workspace's models folder, or (without one) over the bundled model alone.
import { dirname } from 'node:path'
import { ModelChoiceService } from '../../../main/services/model-choice-service'
import { ModelsService, defaultBundledModelDir } from '../../../main/services/models-service'
import type { Repositories } from '../../../main/store/repositories'

export function testModelChoice(
  store?: Pick<Repositories, 'textSample'>,
  opts: { modelsDir?: string; bundledModelDir?: string } = {},
): ModelChoiceService {
  const bundledDir = opts.bundledModelDir ?? defaultBundledModelDir()
  const service = new ModelsService({
    home: opts.modelsDir ? dirname(opts.modelsDir) : dirname(bundledDir),
    bundledDir,
  })
  // Without a workspace's models folder only the bundled model can be trained with.
  const models = opts.modelsDir
    ? service
    : { list: async () => (await service.list()).filter((m) => m.source === 'bundled') }
  return new ModelChoiceService(models, store)
}
