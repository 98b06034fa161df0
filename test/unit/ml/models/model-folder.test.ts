// Model folders: what inspectModelFolder accepts and reports, each way a folder is refused, and an
// import that copies atomically (no half-written model left behind).
import { createHash } from 'node:crypto'
import { readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CtsError } from '../../../../preload/contract/common'
import { importModelFolder, inspectModelFolder } from '../../../../main/ml/models/model-folder'
import { asyncRefusalOf } from './refusal'
import { addPooling, tempDir, tinyWeights, writeTinyModel } from './tiny-model'

const refusal = (dir: string) => asyncRefusalOf(() => inspectModelFolder(dir))

const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex')

describe('inspectModelFolder', () => {
  it('describes a vocab-only BERT folder with [CLS] pooling and file hashes', async () => {
    const dir = await writeTinyModel()
    const info = await inspectModelFolder(dir)
    expect(info.name).toBe('tiny-bert')
    expect(info.config.hiddenSize).toBe(4)
    expect(info.weightsPath).toBe(join(dir, 'model.safetensors'))
    expect(info.tokenizer).toEqual({ kind: 'vocab.txt', path: join(dir, 'vocab.txt') })
    expect(info.pooling).toBe('cls')
    expect(Object.keys(info.sha256)).toEqual([
      'README.md',
      'config.json',
      'model.safetensors',
      'tokenizer_config.json',
      'vocab.txt',
    ])
    expect(info.sha256['vocab.txt']).toBe(await sha(join(dir, 'vocab.txt')))
  })

  it('recognises a sentence-transformers folder as mean pooling', async () => {
    const dir = await writeTinyModel()
    await addPooling(dir, { pooling_mode_mean_tokens: true, pooling_mode_cls_token: false })
    const info = await inspectModelFolder(dir)
    expect(info.pooling).toBe('mean')
    expect(info.sha256['1_Pooling/config.json']).toBe(await sha(join(dir, '1_Pooling/config.json')))
  })

  it('reports the bundled MiniLM as a mean-pooled BERT with tokenizer.json', async () => {
    const info = await inspectModelFolder('resources/models/all-MiniLM-L6-v2', { hashes: false })
    expect([
      info.pooling,
      info.tokenizer.kind,
      info.config.numLayers,
      info.config.hiddenSize,
    ]).toEqual(['mean', 'tokenizer.json', 6, 384])
    expect(info.sha256).toEqual({})
  })

  it('refuses a folder that does not exist', async () => {
    expect(await refusal('/nonexistent/some-model')).toEqual({
      code: 'not-found',
      message: 'some-model: model folder not found',
    })
  })

  it('refuses a folder without config.json', async () => {
    const dir = await writeTinyModel()
    await rm(join(dir, 'config.json'))
    expect((await refusal(dir)).message).toBe(
      'tiny-bert: config.json is missing; a model folder needs config.json, model.safetensors or pytorch_model.bin, and tokenizer.json or vocab.txt',
    )
  })

  it('refuses a config.json that is not JSON', async () => {
    const dir = await writeTinyModel()
    await writeFile(join(dir, 'config.json'), '{ "model_type": bert }')
    expect((await refusal(dir)).message).toBe('tiny-bert/config.json: not valid JSON')
  })

  it('refuses an unsupported architecture', async () => {
    const dir = await writeTinyModel()
    const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...cfg, model_type: 'albert' }))
    expect(await refusal(dir)).toEqual({
      code: 'unsupported',
      message:
        'tiny-bert/config.json: model type "albert" is not supported yet; supported: bert, roberta, xlm-roberta, distilbert, electra',
    })
  })

  it('refuses a folder without weights', async () => {
    const dir = await writeTinyModel()
    await rm(join(dir, 'model.safetensors'))
    expect(await refusal(dir)).toEqual({
      code: 'bad-input',
      message:
        'tiny-bert: no weights found; a model folder needs model.safetensors or pytorch_model.bin ' +
        '(or their sharded forms with model.safetensors.index.json / pytorch_model.bin.index.json)',
    })
  })

  it('refuses a pytorch_model.bin that is not a checkpoint, saying why', async () => {
    const dir = await writeTinyModel()
    await rm(join(dir, 'model.safetensors'))
    await writeFile(join(dir, 'pytorch_model.bin'), 'PK')
    expect(await refusal(dir)).toEqual({
      code: 'bad-input',
      message: 'pytorch_model.bin: the file is 2 bytes, too short to be a PyTorch checkpoint',
    })
  })

  it('refuses a shard index without a weight_map', async () => {
    const dir = await writeTinyModel()
    await rm(join(dir, 'model.safetensors'))
    await writeFile(join(dir, 'model.safetensors.index.json'), '{}')
    expect((await refusal(dir)).message).toBe(
      'model.safetensors.index.json: the "weight_map" object is missing',
    )
  })

  it('refuses weights whose embeddings disagree with config.json', async () => {
    const dir = await writeTinyModel()
    await writeFile(join(dir, 'model.safetensors'), tinyWeights(30, 4))
    expect((await refusal(dir)).message).toBe(
      'tiny-bert: word embeddings are [30,4] but config.json says [24, 4]',
    )
  })

  it('refuses a damaged safetensors header', async () => {
    const dir = await writeTinyModel()
    const bytes = tinyWeights()
    await writeFile(join(dir, 'model.safetensors'), bytes.subarray(0, bytes.length - 3))
    // 24×4 + 4 floats = 400 bytes of data, 3 of them cut off.
    expect((await refusal(dir)).message).toBe(
      'model.safetensors: tensor "embeddings.LayerNorm.weight" ends at byte 400 but the data region holds only 397',
    )
  })

  it('refuses a folder without any tokenizer', async () => {
    const dir = await writeTinyModel()
    await rm(join(dir, 'vocab.txt'))
    expect((await refusal(dir)).message).toBe(
      'tiny-bert: no tokenizer found (tokenizer.json or vocab.txt)',
    )
  })

  it('refuses a tokenizer.json without a model section', async () => {
    const dir = await writeTinyModel()
    await writeFile(join(dir, 'tokenizer.json'), '{"version":"1.0"}')
    expect((await refusal(dir)).message).toBe(
      'tiny-bert/tokenizer.json: the "model" section is missing',
    )
  })

  it('refuses max pooling, naming what is supported', async () => {
    const dir = await writeTinyModel()
    await addPooling(dir, { pooling_mode_max_tokens: true })
    expect(await refusal(dir)).toEqual({
      code: 'unsupported',
      message:
        'tiny-bert: pooling ["max_tokens"] is not supported yet; supported: mean_tokens, cls_token',
    })
  })
})

describe('importModelFolder', () => {
  it('copies the kept files under the given name with identical hashes, leaving no temp folder', async () => {
    const src = await writeTinyModel()
    await addPooling(src, { pooling_mode_mean_tokens: true })
    await writeFile(join(src, 'pytorch_model.bin'), 'not copied')
    const root = await tempDir()
    const info = await importModelFolder(src, root, 'Chinese BERT (test)')
    expect(info.name).toBe('Chinese-BERT-test')
    expect(info.dir).toBe(join(root, 'Chinese-BERT-test'))
    expect(info.sha256).toEqual((await inspectModelFolder(src)).sha256)
    expect(info.pooling).toBe('mean')
    expect(await readdir(root)).toEqual(['Chinese-BERT-test'])
    expect((await readdir(info.dir)).includes('pytorch_model.bin')).toBe(false)
  })

  it('refuses a name already taken and an invalid folder, leaving the models folder as it was', async () => {
    const src = await writeTinyModel()
    const root = await tempDir()
    await importModelFolder(src, root)
    await expect(importModelFolder(src, root)).rejects.toMatchObject({
      code: 'conflict',
      message: 'a model named "tiny-bert" already exists',
    })
    await rm(join(src, 'vocab.txt'))
    await expect(importModelFolder(src, root, 'other')).rejects.toBeInstanceOf(CtsError)
    expect(await readdir(root)).toEqual(['tiny-bert'])
  })
})
