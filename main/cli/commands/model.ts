// `cts model import DIR [--name N]` and `cts model list`: the base models runs can start from.
import { resolve } from 'node:path'
import { Command } from 'commander'
import type { ModelSummaryDto } from '../../../preload/contract'
import { withContext } from '../context'
import type { CliCommand } from './command'

function describeModel(m: ModelSummaryDto): string {
  const shape =
    m.problem ??
    `${m.numLayers} layers, hidden ${m.hiddenSize}, vocab ${m.vocabSize}, ${m.pooling} pooling`
  return `${m.id}\t${m.source}\t${shape}\t${m.dir}`
}

export const modelCommand: CliCommand = {
  name: 'model',
  register(program) {
    const model = new Command('model').description('import and list base models')

    model
      .command('import')
      .description('copy a Hugging Face model folder (config.json, model.safetensors, tokenizer)')
      .argument('<dir>', 'model folder')
      .option('--name <name>', 'name to train with (default: the folder name)')
      .option('--json', 'print the model as JSON')
      .action(
        withContext(async (ctx, dir: string, opts: { name?: string; json?: boolean }) => {
          const m = await ctx.call('models/import', {
            dir: resolve(dir),
            ...(opts.name ? { name: opts.name } : {}),
          })
          if (opts.json) return ctx.printJson(m)
          ctx.print(`Imported model "${m.id}" (${m.numLayers} layers, hidden ${m.hiddenSize}).`)
          ctx.print(`Train with it: cts train --model ${m.id} …`)
        }),
      )

    model
      .command('list')
      .description('list the bundled and imported models')
      .option('--json', 'print the models as a JSON array')
      .action(
        withContext(async (ctx, opts: { json?: boolean }) => {
          const models = await ctx.call('models/list', {})
          if (opts.json) return ctx.printJson(models)
          if (models.length === 0) return ctx.print('No models: run scripts/setup-model.sh.')
          ctx.print(models.map(describeModel).join('\n'))
        }),
      )

    program.addCommand(model)
  },
}
