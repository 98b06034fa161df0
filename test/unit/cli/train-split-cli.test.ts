// `cts train --split`: a grouped run keeps every patient's texts in one split (read back from the
// run's dataset.json), a stratified run on the same file does not, and a bad mode is refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT, runCts } from './cts-process'

const fixture = join(REPO_ROOT, 'resources/samples/symptoms-zh-en.csv')
const home = mkdtempSync(join(tmpdir(), 'cts-train-split-'))
afterAll(() => rmSync(home, { recursive: true, force: true }))

const cts = (args: string[]) => runCts(home, args)

const patientOf = new Map(
  (parse(readFileSync(fixture), { columns: true, bom: true }) as Record<string, string>[]).map(
    (r) => [r.text, r.patient_id],
  ),
)

/** Trains the baseline for one epoch with the given split; returns run id and the split per patient. */
async function trainWith(split: string) {
  const { stdout } = await cts([
    'train',
    '--train',
    fixture,
    '--group-col',
    'patient_id',
    '--split',
    split,
    '--model',
    'baseline',
    '--epochs',
    '1',
    '--seed',
    '3',
    '--device',
    'cpu',
    '--json',
  ])
  const out = JSON.parse(stdout) as { run_id: number; config: { split: string } }
  const dataset = JSON.parse(
    readFileSync(join(home, 'runs', String(out.run_id), 'dataset.json'), 'utf8'),
  ) as Record<'train' | 'dev' | 'test', { texts: string[] }>
  const splitsOf = new Map<string, Set<string>>()
  let texts = 0
  for (const name of ['train', 'dev', 'test'] as const) {
    for (const text of dataset[name].texts) {
      const patient = patientOf.get(text)!
      expect(patient).toMatch(/^P\d+$/)
      splitsOf.set(patient, (splitsOf.get(patient) ?? new Set()).add(name))
      texts++
    }
  }
  return { out, splitsOf, texts }
}

describe('cts train --split', () => {
  it('keeps every patient in one split when grouped, and not when stratified', async () => {
    const grouped = await trainWith('grouped')
    expect(grouped.out.config.split).toBe('grouped')
    expect(grouped.texts).toBe(patientOf.size)
    expect(grouped.splitsOf.size).toBe(new Set(patientOf.values()).size)
    expect([...grouped.splitsOf.values()].filter((s) => s.size > 1)).toEqual([])
    expect(new Set([...grouped.splitsOf.values()].map((s) => [...s][0]))).toEqual(
      new Set(['train', 'dev', 'test']),
    )

    const stratified = await trainWith('stratified')
    expect(stratified.out.config.split).toBe('stratified')
    expect(stratified.texts).toBe(patientOf.size)
    expect([...stratified.splitsOf.values()].some((s) => s.size > 1)).toBe(true)
  }, 120_000)

  it('refuses a split mode it does not know', async () => {
    await expect(
      cts(['train', '--train', fixture, '--model', 'baseline', '--split', 'random']),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/--split must be stratified or grouped \(got "random"\)/),
    })
  })
})
