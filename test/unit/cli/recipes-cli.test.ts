// `cts train --recipe`: the seed recipe's reports, the auto recipe's study (the winner's usual JSON
// plus `study`, `cts study show`), and which flags make a manual run.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cliRecipe } from '../../../main/cli/commands/train'
import { writeTinyBertFolder } from '../ml/infer/bundles'
import { failingCts, runCts } from './cts-process'

const fixture = 'test/fixtures/train/bilingual-health.csv'
const home = mkdtempSync(join(tmpdir(), 'cts-recipes-cli-'))
const modelDir = writeTinyBertFolder()
afterAll(() => {
  rmSync(home, { recursive: true, force: true })
  rmSync(dirname(modelDir), { recursive: true, force: true })
})
const cts = (args: string[]) => runCts(home, args)
const common = ['--train', fixture, '--model', modelDir, '--seed', '3', '--device', 'cpu']

describe('cts train --recipe', () => {
  it('chooses auto without explicit settings, manual with them, and the named recipe when given', () => {
    expect(cliRecipe({})).toBe('auto')
    expect(cliRecipe({ lr: '1e-4' })).toBe('manual')
    expect(cliRecipe({ epochs: '3' })).toBe('manual')
    expect(cliRecipe({ batchSize: '8' })).toBe('manual')
    // A --model typed on the command line (even --model default) names the model: manual.
    expect(cliRecipe({}, true)).toBe('manual')
    expect(cliRecipe({ lr: '1e-4', recipe: 'auto' }, true)).toBe('auto')
    expect(() => cliRecipe({ recipe: 'best' })).toThrow(
      '--recipe must be auto, reference, seed or manual (got "best").',
    )
  })

  it('seed: five epochs at a constant 2e-5, the last kept, a report on dev each epoch and on test', async () => {
    const { stdout } = await cts(['train', ...common, '--recipe', 'seed'])
    for (let e = 1; e <= 5; e++) expect(stdout).toContain(`Epoch ${e}, dev\n`)
    expect(stdout).toContain('Test (last epoch)\n')
    expect(stdout).toMatch(/\n {3}macro avg +\d\.\d{4} +\d\.\d{4} +\d\.\d{4} +\d+\n/)
    const json = JSON.parse((await cts(['train', ...common, '--recipe', 'seed', '--json'])).stdout)
    expect(json.config).toMatchObject({
      recipe: 'seed',
      learningRate: 2e-5,
      batchSize: 16,
      epochs: 5,
      schedule: 'constant',
      keep: 'last',
      earlyStopping: false,
    })
    expect(json.epochs.map((e: { learning_rate: number }) => e.learning_rate)).toEqual([
      2e-5, 2e-5, 2e-5, 2e-5, 2e-5,
    ])
    expect([json.best_epoch, json.stopped_early]).toEqual([5, false])
  }, 120_000)

  it('auto: a study whose winner prints the usual keys plus the study; cts study show agrees', async () => {
    const { stdout, stderr } = await cts([
      'train',
      ...common,
      '--max-length',
      '16',
      '--recipe',
      'auto',
      '--budget',
      '2',
      '--json',
    ])
    const out = JSON.parse(stdout)
    for (const key of [
      'run_id',
      'status',
      'labels',
      'model',
      'provider',
      'config',
      'epochs',
      'best_epoch',
      'stopped_early',
      'test',
      'timings',
      'study',
    ])
      expect(out).toHaveProperty(key)
    expect(out.status).toBe('success')
    expect(out.study.winnerRunId).toBe(out.run_id)
    expect(out.study.testScoredBy).toBe(out.run_id)
    expect(out.study.candidates[0]).toMatchObject({ label: 'baseline', status: 'success' })
    expect(out.study.candidates[1]).toMatchObject({ label: 'tiny-bert lr 1e-4', kind: 'bert' })
    expect(stderr).toMatch(/study 1: tiny-bert lr 1e-4: up to 20 epochs, estimated/)
    // The first estimate comes from a probe of the real train step (cached in the workspace), and
    // every epoch refines it.
    expect(stderr).toMatch(
      /study 1: tiny-bert: timed on this computer by a short probe \(\d+ s, spent from the budget\)/,
    )
    expect(stderr).toMatch(/study 1: tiny-bert lr 1e-4: epoch 1\/20 done, \d+ s per epoch measured/)
    expect(existsSync(join(home, 'step-calibration.json'))).toBe(true)
    const shown = JSON.parse((await cts(['study', 'show', String(out.study.id), '--json'])).stdout)
    expect(shown).toEqual(out.study)
    const text = (await cts(['study', 'show', String(out.study.id)])).stdout
    expect(text).toContain(`Test scored once, by run ${out.run_id} only.`)
  }, 240_000)

  it('refuses --budget outside the auto recipe', async () => {
    const failed = await failingCts(home, ['train', ...common, '--lr', '1e-4', '--budget', '5'])
    expect(failed.stderr).toContain(
      "--budget is the auto recipe's time budget; this is a manual run (add --recipe auto).",
    )
  })
})
