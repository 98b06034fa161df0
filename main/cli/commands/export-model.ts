// `cts export-model --run ID --out DIR [--quantize int8|none] [--triton]`: the run's model as a portable folder
// (model.onnx, tokenizer or featurizer files, labels.json, inference.json, MODEL_CARD.md; with --triton also an
// NVIDIA Triton model repository in triton/), via 'runs/exportModel'.
import { resolve } from 'node:path'
import { Command } from 'commander'
import { withContext } from '../context'
import { numberFlag } from '../flags'
import { QUANTIZE_HELP } from './predict'
import type { CliCommand } from './command'

export const exportModelCommand: CliCommand = {
  name: 'export-model',
  register(program) {
    program.addCommand(
      new Command('export-model')
        .description('export a trained run as ONNX + tokenizer + labels + model card (a folder)')
        .requiredOption('--run <id>', 'run id (see the output of cts train)')
        .requiredOption('--out <dir>', 'folder to create (must not exist or be empty)')
        .option('--quantize <mode>', QUANTIZE_HELP)
        .option(
          '--triton',
          'also write triton/<model>/ (config.pbtxt, 1/model.onnx): a model repository for NVIDIA Triton Inference Server',
        )
        .option('--json', 'print one JSON object with the result')
        .action(
          withContext(
            async (
              ctx,
              opts: {
                run: string
                out: string
                quantize?: string
                triton?: boolean
                json?: boolean
              },
            ) => {
              const runId = numberFlag(opts.run)!
              const r = await ctx.call(
                'runs/exportModel',
                {
                  runId,
                  path: opts.out === '' ? '' : resolve(opts.out),
                  // As typed: the contract's schema names the allowed values.
                  quantize: opts.quantize as 'int8' | 'none' | undefined,
                  ...(opts.triton ? { triton: true } : {}),
                },
                { runId: '--run', path: '--out', quantize: '--quantize', triton: '--triton' },
              )
              if (opts.json) return ctx.printJson({ run_id: runId, path: r.path, files: r.files })
              ctx.print(`Exported run ${runId} → ${r.path} (${r.files.join(', ')})`)
            },
          ),
        ),
    )
  },
}
