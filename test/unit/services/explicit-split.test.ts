// The explicit split end to end through the app's handlers: the import stores each text's split
// from the Split column, 'texts/splits' counts them, and training with split 'explicit' trains,
// tunes and tests on exactly those texts (texts without a split left out; no dev → 10% of train).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boot, type Backend } from '../../../main/root/boot'
import { servicesCaller } from './call-helpers'

const csv = fileURLToPath(new URL('../../fixtures/import/split-column.csv', import.meta.url))
const source = readFileSync(csv, 'utf8')
/** Each text's id column in the fixture. */
const fileId = new Map(
  (parse(source, { columns: true }) as { id: string; text: string }[]).map((r) => [
    r.text,
    Number(r.id),
  ]),
)
/** The fixture with the split cells of some rows blanked (rows named by their id column). */
const blanked = (ids: number[]) =>
  source
    .split('\n')
    .map((line) => (ids.includes(Number(line.split(',')[0])) ? line.replace(/,[^,]*$/, ',') : line))
    .join('\n')
const upload = (text: string) => ({
  name: 'split.csv',
  contentBase64: Buffer.from(text, 'utf8').toString('base64'),
})
const config = { model: 'baseline', epochs: 1, batchSize: 8, seed: 7, device: 'cpu' as const }

let home: string
let services: Backend

const { call, finished } = servicesCaller(() => services)

/** A binary project holding the fixture (or a variant of it), imported with the suggested mapping. */
async function project(name: string, text = source): Promise<number> {
  const p = await call('projects/create', { name, kind: 'binary' })
  const file = upload(text)
  const preview = await call('datasets/preview', { projectId: p.id, file })
  expect(preview.suggestedMapping.split).toBe('Split')
  await call('datasets/import', { projectId: p.id, file, mapping: preview.suggestedMapping })
  return p.id
}

type Split = { texts: string[]; labels: number[]; ids: number[] }
/** The fixture's id column of a split's texts, in order. */
const ids = (s: Split | undefined) => s!.texts.map((t) => fileId.get(t)!).sort((a, b) => a - b)
const dataset = (runId: number) =>
  JSON.parse(readFileSync(join(home, 'runs', String(runId), 'dataset.json'), 'utf8')) as {
    train: Split
    dev?: Split
    test: Split
  }

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cts-explicit-'))
  services = await boot({ home })
})

afterAll(async () => {
  await services?.shutdown()
  rmSync(home, { recursive: true, force: true })
})

describe('explicit split', () => {
  it('stores each text’s split from the Split column and rejects the row whose split is unknown', async () => {
    const p = await call('projects/create', { name: 'import', kind: 'binary' })
    const file = { path: csv }
    const preview = await call('datasets/preview', { projectId: p.id, file })
    const result = await call('datasets/import', {
      projectId: p.id,
      file,
      mapping: preview.suggestedMapping,
    })
    expect(result).toMatchObject({
      imported: 15,
      rejected: 1,
      rejectedRows: [{ row: 7, reason: 'Row 7: split "foo" is not train, dev or test' }],
      // A binary project starts with 健康/疾病, so no label is added and none is unknown.
      labelsAdded: [],
      labelsUnknown: [],
    })
    const { rows } = await call('texts/list', { projectId: p.id, offset: 0, limit: 100 })
    expect(rows.map((r) => [r.externalId, r.split])).toEqual([
      ...['1', '2', '3', '4', '5', '7'].map((id) => [id, 'train']),
      ...['8', '9', '10', '11'].map((id) => [id, 'dev']),
      ...['12', '13', '14', '15'].map((id) => [id, 'test']),
      ['16', null],
    ])
    expect(await call('texts/splits', { projectId: p.id })).toEqual({
      train: 6,
      dev: 4,
      test: 4,
      none: 1,
    })
  })

  it('trains on the texts’ own splits, leaves out texts without one, and records it', async () => {
    const projectId = await project('explicit')
    const started = await call('training/start', {
      projectId,
      config: { ...config, split: 'explicit' },
    })
    const run = await finished(started.runId)
    expect(run.status).toBe('success')
    expect(run.config).toMatchObject({ split: 'explicit', leftOutNoSplit: 1, devFromTrain: false })
    const d = dataset(run.id)
    // File ids: 6 ("foo") was rejected and 16 (blank split) is left out of every split.
    expect(ids(d.train)).toEqual([1, 2, 3, 4, 5, 7])
    expect(ids(d.dev)).toEqual([8, 9, 10, 11])
    expect(ids(d.test)).toEqual([12, 13, 14, 15])
    expect(d.train.ids).toHaveLength(6)
  }, 60_000)

  it('holds out a seeded 10% of train (rounded) as dev when no text is marked dev', async () => {
    const projectId = await project('no dev', blanked([8, 9, 10, 11]))
    expect(await call('texts/splits', { projectId })).toEqual({
      train: 6,
      dev: 0,
      test: 4,
      none: 5,
    })
    const started = await call('training/start', {
      projectId,
      config: { ...config, split: 'explicit' },
    })
    const run = await finished(started.runId)
    expect(run.config).toMatchObject({ split: 'explicit', leftOutNoSplit: 5, devFromTrain: true })
    const d = dataset(run.id)
    // round(6 × 0.1) = 1 text moves from train to dev; test is untouched.
    expect(d.train.texts).toHaveLength(5)
    expect(d.dev!.texts).toHaveLength(1)
    expect([...ids(d.train), ...ids(d.dev)].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 7])
    expect(ids(d.test)).toEqual([12, 13, 14, 15])
  }, 60_000)

  it('refuses when no text is marked test, saying so', async () => {
    const projectId = await project('no test', blanked([12, 13, 14, 15]))
    await expect(
      call('training/start', { projectId, config: { ...config, split: 'explicit' } }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message:
        'Explicit split: no texts are marked test (5 labelled texts have no split). Import a file whose split column marks labelled texts train and test, or choose the stratified or grouped split.',
    })
  })
})
