// ModelsService (main/services): the bundled default plus imported folders under <home>/models.
// Lives here with the model-folder tests it shares helpers with.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ModelsService } from '../../../../main/services/models-service'
import { tempDir, writeTinyModel } from './tiny-model'

const BUNDLED = join(process.cwd(), 'resources/models/all-MiniLM-L6-v2')

describe('ModelsService', () => {
  it('lists the bundled model as default, then imported ones, marking a broken folder', async () => {
    const home = await tempDir('cts-home-')
    const service = new ModelsService({ home, bundledDir: BUNDLED })
    const imported = await service.import(await writeTinyModel(), 'zh-tiny')
    expect(imported).toMatchObject({
      id: 'zh-tiny',
      source: 'imported',
      hiddenSize: 4,
      pooling: 'cls',
    })
    await mkdir(join(home, 'models', 'broken'))
    await writeFile(join(home, 'models', 'broken', 'config.json'), '{}')
    const list = await service.list()
    expect(list.map((m) => [m.id, m.source, m.hiddenSize, m.problem ?? null])).toEqual([
      ['default', 'bundled', 384, null],
      [
        'broken',
        'imported',
        null,
        'broken/config.json: "model_type" is missing, so the architecture is unknown',
      ],
      ['zh-tiny', 'imported', 4, null],
    ])
  })

  it('shows the usable input length: RoBERTa loses pad_token_id + 1 positions', async () => {
    const home = await tempDir('cts-home-')
    const service = new ModelsService({ home, bundledDir: BUNDLED })
    const dir = await writeTinyModel()
    const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))
    expect(cfg.max_position_embeddings).toBe(16)
    expect((await service.import(dir, 'tiny-bert')).maxPositions).toBe(16)
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ ...cfg, model_type: 'roberta', pad_token_id: 1, type_vocab_size: 1 }),
    )
    expect(await service.import(dir, 'tiny-roberta')).toMatchObject({
      modelType: 'roberta',
      maxPositions: 14,
    })
  })

  it('gets a model by name with its hashes, and refuses unknown or reserved names', async () => {
    const home = await tempDir('cts-home-')
    const service = new ModelsService({ home, bundledDir: BUNDLED })
    await service.import(await writeTinyModel())
    const info = await service.get('tiny-bert')
    expect(info.dir).toBe(join(home, 'models', 'tiny-bert'))
    expect(Object.keys(info.sha256)).toContain('model.safetensors')
    await expect(service.get('nope')).rejects.toMatchObject({
      code: 'not-found',
      message: 'No model named "nope"',
    })
    await expect(service.get('../tiny-bert')).rejects.toMatchObject({ code: 'not-found' })
    await expect(service.import(await writeTinyModel(), 'default')).rejects.toMatchObject({
      code: 'conflict',
    })
  })

  it('finds the bundled model next to the repository resources by default', async () => {
    expect(new ModelsService({ home: await tempDir() }).bundledDir).toBe(BUNDLED)
  })

  it('says how to install the default model when it is missing', async () => {
    const service = new ModelsService({
      home: await tempDir(),
      bundledDir: '/nonexistent/all-MiniLM-L6-v2',
    })
    expect(await service.list()).toEqual([])
    await expect(service.get('default')).rejects.toMatchObject({
      code: 'not-found',
      message: 'The default model is not installed; run scripts/setup-model.sh',
    })
  })
})
