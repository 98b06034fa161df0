// `cts simulate` as a clinician's shell runs it (bin/cts.mjs): --json prints the curves on the
// bilingual fixture; a bad flag exits 2 with a line naming the flag and what it allows.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { SimulateResultDto } from '../../../preload/contract/simulate'
import { failingCts, REPO_ROOT, runCts } from '../cli/cts-process'

const home = mkdtempSync(join(tmpdir(), 'cts-simulate-'))
afterAll(() => rmSync(home, { recursive: true, force: true }))

const FIXTURE = join(REPO_ROOT, 'test/fixtures/active')
const files = [
  '--train',
  join(FIXTURE, 'simulate-train.csv'),
  '--test',
  join(FIXTURE, 'simulate-test.csv'),
]

describe('cts simulate', () => {
  it('prints the learning curves of the strategies asked for as JSON', async () => {
    const { stdout } = await runCts(home, [
      'simulate',
      ...files,
      '--strategy',
      'uncertainty,random',
      '--seed-size',
      '15',
      '--step',
      '15',
      '--budget',
      '45',
      '--repeats',
      '2',
      '--json',
    ])
    const r = JSON.parse(stdout) as SimulateResultDto
    expect(r.settings).toMatchObject({
      strategies: ['uncertainty', 'random'],
      seedSize: 15,
      step: 15,
      budget: 45,
      repeats: 2,
      seed: 42,
      trainTexts: 300,
      testTexts: 90,
    })
    expect(Object.keys(r.curves)).toEqual(['uncertainty', 'random'])
    for (const curve of Object.values(r.curves)) {
      expect(curve.map((p) => [p.labels, p.runs])).toEqual([
        [15, 2],
        [30, 2],
        [45, 2],
      ])
    }
    expect(r.reach!.randomFinalMacroF1).toBe(r.curves.random![2].macroF1Mean)
    expect(Object.keys(r.reach!.strategies)).toEqual(['uncertainty'])
  }, 60_000)

  it('names the flag and what it allows when a strategy is unknown', async () => {
    const { code, stderr } = await failingCts(home, [
      'simulate',
      ...files,
      '--strategy',
      'uncertainty,coreset',
    ])
    expect(code).toBe(2)
    expect(stderr).toBe(
      'Error: --strategy must be uncertainty, diversity or random (got "coreset").\n',
    )
  }, 30_000)
})
