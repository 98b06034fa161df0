// The pooling a model folder is read with: sentence-transformers' modules.json first, then uniem's
// config.json key (M3E models), else [CLS]; strategies our heads cannot compute are refused by name.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inspectModelFolder } from '../../../../main/ml/models/model-folder'
import { asyncRefusalOf } from './refusal'
import { addPooling, writeTinyModel } from './tiny-model'

/** The tiny fixture folder with `extra` merged into its config.json. */
async function tinyWithConfig(extra: Record<string, unknown>): Promise<string> {
  const dir = await writeTinyModel()
  const path = join(dir, 'config.json')
  const config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
  await writeFile(path, JSON.stringify({ ...config, ...extra }))
  return dir
}

async function poolingOf(dir: string): Promise<string> {
  return (await inspectModelFolder(dir, { hashes: false })).pooling
}

const refusal = (dir: string) => asyncRefusalOf(() => inspectModelFolder(dir, { hashes: false }))

describe('model folder pooling', () => {
  it('mean-pools an M3E-style folder: no modules.json, uniem_embedding_strategy "last_mean"', async () => {
    expect(await poolingOf(await tinyWithConfig({ uniem_embedding_strategy: 'last_mean' }))).toBe(
      'mean',
    )
  })

  it('reads uniem "cls" and "first" as [CLS] pooling', async () => {
    expect(await poolingOf(await tinyWithConfig({ uniem_embedding_strategy: 'cls' }))).toBe('cls')
    expect(await poolingOf(await tinyWithConfig({ uniem_embedding_strategy: 'first' }))).toBe('cls')
  })

  it('falls back to [CLS] without modules.json or a uniem key (null counts as absent)', async () => {
    expect(await poolingOf(await writeTinyModel())).toBe('cls')
    expect(await poolingOf(await tinyWithConfig({ uniem_embedding_strategy: null }))).toBe('cls')
  })

  it('lets modules.json win over the uniem key', async () => {
    const dir = await tinyWithConfig({ uniem_embedding_strategy: 'cls' })
    await addPooling(dir, { pooling_mode_mean_tokens: true })
    expect(await poolingOf(dir)).toBe('mean')
    const cls = await tinyWithConfig({ uniem_embedding_strategy: 'last_mean' })
    await addPooling(cls, { pooling_mode_cls_token: true })
    expect(await poolingOf(cls)).toBe('cls')
  })

  it('reads the uniem key when modules.json declares no pooling module', async () => {
    const dir = await tinyWithConfig({ uniem_embedding_strategy: 'last_mean' })
    await writeFile(
      join(dir, 'modules.json'),
      JSON.stringify([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      ]),
    )
    expect(await poolingOf(dir)).toBe('mean')
  })

  it.each([
    ['first_last_mean', '"first_last_mean"'],
    ['embedding_last_mean', '"embedding_last_mean"'],
    ['last_weighted', '"last_weighted"'],
    ['toString', '"toString"'],
    [42, '42'],
    [['last_mean'], '["last_mean"]'],
  ])('refuses uniem_embedding_strategy %j by name', async (strategy, shown) => {
    expect(await refusal(await tinyWithConfig({ uniem_embedding_strategy: strategy }))).toEqual({
      code: 'unsupported',
      message:
        `tiny-bert/config.json: uniem_embedding_strategy ${shown} is not supported; ` +
        'supported: last_mean, cls, first',
    })
  })
})
