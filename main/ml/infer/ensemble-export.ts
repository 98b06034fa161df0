// Exports an ensemble run: each member's usual export in its own folder (member-1-baseline/,
// member-2-bert/: model.onnx, labels, tokenizer or featurizer, its card), plus inference.json
// saying how to mix their `probs` and a card naming both members, the weight and both licences.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { CtsError } from '../../shared'
import { memberBundleDir, readEnsembleMeta } from './ensemble-bundle'
import { licenceSection, metricsSection } from './model-card'
import { EXPORT_FORMAT, exportModelFolder, type ExportRunInfo } from './model-export'

/** The folder an ensemble member is exported to (1-based position, kind). */
export function memberFolder(index: number, kind: string): string {
  return `member-${index + 1}-${kind}`
}

/**
 * Write the export of the ensemble bundle in `bundleDir` to `outDir` (new or empty); `members`
 * are the member runs' card facts in the ensemble's member order. Returns the files written,
 * relative to `outDir` (member files as 'member-1-baseline/model.onnx'), sorted.
 */
export function exportEnsembleFolder(
  bundleDir: string,
  outDir: string,
  run: ExportRunInfo,
  members: ExportRunInfo[],
): string[] {
  const meta = readEnsembleMeta(bundleDir)
  if (!meta) throw new CtsError('internal', `${bundleDir} holds no ensemble model.`)
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new CtsError(
      'conflict',
      `${outDir} already exists and is not empty; choose a new folder.`,
    )
  }
  const parent = dirname(outDir)
  mkdirSync(parent, { recursive: true })
  const temp = join(parent, `.${basename(outDir)}.${process.pid}.${Date.now()}.tmp`)
  mkdirSync(temp)
  try {
    const folders = meta.members.map((m, i) => memberFolder(i, m.kind))
    meta.members.forEach((m, i) =>
      // Members stay fp32: int8 is decided per run, and an ensemble records no check of its own.
      exportModelFolder(memberBundleDir(bundleDir, m), join(temp, folders[i]), members[i], {
        quantize: 'none',
      }),
    )
    writeFileSync(join(temp, 'labels.json'), JSON.stringify(meta.labels, null, 2) + '\n')
    const inference = {
      format: EXPORT_FORMAT,
      kind: 'ensemble',
      labels: meta.labels,
      members: meta.members.map((m, i) => ({
        folder: folders[i],
        runId: m.runId,
        kind: m.kind,
        baseModel: m.baseModel,
        weight: m.weight,
      })),
      combine:
        "probs = Σ weight × member's probs (each member folder is a complete export: run its " +
        'model.onnx as its inference.json says); every member outputs labels in labels.json order',
    }
    writeFileSync(join(temp, 'inference.json'), JSON.stringify(inference, null, 2) + '\n')
    writeFileSync(
      join(temp, 'MODEL_CARD.md'),
      ensembleCard(run, meta.labels, inference.members, members),
    )
    if (existsSync(outDir)) rmSync(outDir, { recursive: true })
    renameSync(temp, outDir)
  } catch (err) {
    rmSync(temp, { recursive: true, force: true })
    throw err
  }
  return listFiles(outDir)
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [prefix + e.name],
    )
    .sort()
}

function ensembleCard(
  run: ExportRunInfo,
  labels: string[],
  members: { folder: string; runId: number; kind: string; baseModel: string; weight: number }[],
  infos: ExportRunInfo[],
): string {
  const w = (x: number) => Number(x.toFixed(6))
  const formula = members.map((m) => `${w(m.weight)} × probs(${m.folder})`).join(' + ')
  return [
    `# Model card — Clinical Text Studio run ${run.runId} (ensemble)`,
    '',
    '## Model',
    `- Kind: probability-weighted ensemble of ${members.length} runs, weight chosen on the dev texts`,
    ...members.map(
      (m) =>
        `- Member run ${m.runId} (\`${m.folder}/\`): ${m.kind === 'bert' ? `${m.baseModel} fine-tuned` : 'n-gram baseline'}, weight ${w(m.weight)}`,
    ),
    `- Probabilities: ${formula}`,
    `- Labels (output order): ${labels.map((l) => `\`${l}\``).join(', ')}`,
    `- Run id: ${run.runId} · data snapshot hash: \`${run.dataHash}\` · seed: ${run.seed}`,
    '',
    ...members.flatMap((m, i) => {
      const section = licenceSection({
        runId: m.runId,
        kind: m.kind === 'bert' ? 'bert' : 'baseline',
        baseModel: m.baseModel,
        licence: infos[i]?.licence ?? null,
        labels,
        dataHash: run.dataHash,
        seed: run.seed,
        provider: null,
        createdAt: '',
        finishedAt: null,
        hyperparameters: {},
        test: null,
        maxLength: 0,
      })
      return section.length ? [`### Member ${m.folder}`, ...section.slice(1)] : []
    }),
    '## Test-set metrics (the ensemble)',
    ...metricsSection(run.test, labels),
    '',
    '## Intended use and limitations',
    'As for each member (see `member-*/MODEL_CARD.md`): decision support with a person reviewing',
    'every result that matters; not a medical device; re-evaluate on texts from other sources.',
    '',
    '## How to run it',
    "Run each member folder's `model.onnx` as its own card says, then mix the `probs` outputs with",
    'the weights above (inference.json `members[].weight`); the label is the largest mixed probability.',
    '',
  ].join('\n')
}
