import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT, runCts } from '../cli/cts-process'

const fixture = join(REPO_ROOT, 'test/fixtures/train/bilingual-health.csv')
const home = mkdtempSync(join(tmpdir(), 'cts-train-cli-'))
afterAll(() => rmSync(home, { recursive: true, force: true }))

const cts = (args: string[]) => runCts(home, args)

describe('cts train / cts predict', () => {
  it('trains the baseline from a file, prints one JSON object, and predicts with the run', async () => {
    const { stdout, stderr } = await cts([
      'train',
      '--train',
      fixture,
      '--model',
      'baseline',
      '--epochs',
      '3',
      '--batch-size',
      '8',
      '--seed',
      '4',
      '--device',
      'cpu',
      '--json',
    ])
    expect(stderr).toMatch(/run 1: training/)
    const out = JSON.parse(stdout)
    expect(Object.keys(out)).toEqual(
      expect.arrayContaining([
        'run_id',
        'labels',
        'epochs',
        'test',
        'timings',
        'provider',
        'model',
      ]),
    )
    expect(out).toMatchObject({
      run_id: 1,
      labels: ['健康', '疾病'],
      provider: 'cpu',
      model: 'baseline',
    })
    expect(Object.keys(out.test)).toEqual([
      'accuracy',
      'macro_f1',
      'weighted_f1',
      'per_class',
      'confusion_matrix',
    ])
    expect(out.test.per_class['疾病']).toEqual({
      precision: expect.any(Number),
      recall: expect.any(Number),
      f1: expect.any(Number),
      support: expect.any(Number),
    })
    expect(out.epochs[0]).toMatchObject({
      epoch: 1,
      train_loss: expect.any(Number),
      dev: { macro_f1: expect.any(Number) },
    })
    expect(out.timings.train_seconds).toBeGreaterThan(0)

    const csv = join(home, 'pred.csv')
    await cts(['predict', '--run', '1', '--in', fixture, '--out', csv])
    const lines = readFileSync(csv, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')
    expect(lines[0]).toBe('text,label,p_健康,p_疾病')
    expect(lines).toHaveLength(33)
    for (const line of lines.slice(1)) expect(line).toMatch(/,(健康|疾病),[0-9.e-]+,[0-9.e-]+$/)
  })

  it('refuses --project and --train together with a message', async () => {
    await expect(cts(['train', '--train', fixture, '--project', 'x'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/either --project or --train/),
    })
  })
})
