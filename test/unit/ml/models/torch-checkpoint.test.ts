// PyTorch checkpoints read without Python: views with offsets and strides, shared storages,
// half/bfloat16/double widening, big-endian files, deflated entries, shards and model folders.
import { readFileSync } from 'node:fs'
import { readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseTorchCheckpoint } from '../../../../main/ml/models/torch-checkpoint'
import { readModelWeights } from '../../../../main/ml/models/load-weights'
import { importModelFolder, inspectModelFolder } from '../../../../main/ml/models/model-folder'
import { bertParamSpecs, unusedWeightNames } from '../../../../main/ml/models/weights'
import { createBertAdapter } from '../../../../main/ml/models/bert-adapter'
import { parseBertConfig } from '../../../../main/ml/models/bert-config'
import {
  checkpoint,
  f32,
  stateDictPickle,
  tinyTorchCheckpoint,
  zipArchive,
  type TensorSpec,
} from './torch-builder'
import { TINY_FIXTURE, tempDir, writeTinyModel } from './tiny-model'

const values = (t: { data: Float32Array } | undefined) => Array.from(t!.data)
const iota = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('parseTorchCheckpoint', () => {
  it('reads a contiguous tensor, an offset view, a transposed view and a strided slice', async () => {
    const specs: TensorSpec[] = [
      { name: 'a', key: '0', numel: 12, shape: [3, 4] },
      { name: 'rows', key: '0', numel: 12, offset: 4, shape: [2, 4] },
      { name: 't', key: '0', numel: 12, shape: [4, 3], stride: [1, 4] },
      { name: 'slice', key: '0', numel: 12, offset: 6, shape: [2, 2], stride: [4, 1] },
      { name: 'every3rd', key: '0', numel: 12, offset: 1, shape: [4], stride: [3] },
    ]
    const ck = await parseTorchCheckpoint(
      checkpoint(stateDictPickle(specs), { '0': f32(iota(12)) }),
    )
    expect([...ck.tensors.keys()]).toEqual(['a', 'rows', 't', 'slice', 'every3rd'])
    expect(ck.tensors.get('a')).toMatchObject({ dtype: 'F32', shape: [3, 4] })
    expect(values(ck.tensors.get('a'))).toEqual(iota(12))
    expect(values(ck.tensors.get('rows'))).toEqual([4, 5, 6, 7, 8, 9, 10, 11])
    expect(values(ck.tensors.get('t'))).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
    expect(values(ck.tensors.get('slice'))).toEqual([6, 7, 10, 11])
    expect(values(ck.tensors.get('every3rd'))).toEqual([1, 4, 7, 10])
    expect(ck.skipped).toEqual([])
  })

  it('reads a shared storage once: contiguous tensors on it share its memory', async () => {
    const specs: TensorSpec[] = [
      { name: 'word_embeddings.weight', key: '7', numel: 6, shape: [3, 2], parameter: true },
      { name: 'decoder.weight', key: '7', numel: 6, shape: [3, 2], location: 'cuda:0' },
    ]
    const ck = await parseTorchCheckpoint(checkpoint(stateDictPickle(specs), { '7': f32(iota(6)) }))
    const a = ck.tensors.get('word_embeddings.weight')!
    const b = ck.tensors.get('decoder.weight')!
    expect(values(a)).toEqual(iota(6))
    expect(a.data.buffer).toBe(b.data.buffer)
  })

  it('widens float16, bfloat16 and float64 storages to float32', async () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555, 0x7c00]).buffer)
    const bf = new Uint8Array(new Uint16Array([0x3f80, 0xc040, 0x3eaa]).buffer)
    const dbl = new Uint8Array(Float64Array.from([0.1, -3]).buffer)
    const specs: TensorSpec[] = [
      { name: 'h', key: '0', type: 'HalfStorage', numel: 4, shape: [4] },
      { name: 'b', key: '1', type: 'BFloat16Storage', numel: 3, shape: [3] },
      { name: 'd', key: '2', type: 'DoubleStorage', numel: 2, shape: [2] },
    ]
    const ck = await parseTorchCheckpoint(
      checkpoint(stateDictPickle(specs), { '0': half, '1': bf, '2': dbl }),
    )
    expect(ck.tensors.get('h')!.dtype).toBe('F16')
    expect(values(ck.tensors.get('h'))).toEqual([1, -2, 0.333251953125, Infinity])
    expect(ck.tensors.get('b')!.dtype).toBe('BF16')
    expect(values(ck.tensors.get('b'))).toEqual([1, -3, 0.33203125])
    expect(values(ck.tensors.get('d'))).toEqual([Math.fround(0.1), -3])
  })

  it('skips and lists an int64 position_ids buffer, reading a plain-dict pickle', async () => {
    const specs: TensorSpec[] = [
      { name: 'embeddings.position_ids', key: '0', type: 'LongStorage', numel: 3, shape: [1, 3] },
      { name: 'w', key: '1', numel: 2, shape: [2] },
    ]
    const ids = new Uint8Array(BigInt64Array.from([0n, 1n, 2n]).buffer)
    const ck = await parseTorchCheckpoint(
      checkpoint(stateDictPickle(specs, { plainDict: true }), { '0': ids, '1': f32([5, 6]) }),
    )
    expect([...ck.tensors.keys()]).toEqual(['w'])
    expect(ck.skipped).toEqual(['embeddings.position_ids'])
  })

  it('swaps bytes of a checkpoint written on a big-endian machine', async () => {
    const be = new Uint8Array(8)
    new DataView(be.buffer).setFloat32(0, 1.5, false)
    new DataView(be.buffer).setFloat32(4, -2.25, false)
    const pkl = stateDictPickle([{ name: 'w', key: '0', numel: 2, shape: [2] }])
    const ck = await parseTorchCheckpoint(checkpoint(pkl, { '0': be }, { byteorder: 'big' }))
    expect(values(ck.tensors.get('w'))).toEqual([1.5, -2.25])
  })

  it('reads an archive whose entries were re-zipped with deflate', async () => {
    const pkl = stateDictPickle([{ name: 'w', key: '0', numel: 3, shape: [3] }])
    const bytes = zipArchive([
      { name: 'x/data.pkl', data: pkl, deflate: true },
      { name: 'x/data/0', data: f32([1, 2, 3]), deflate: true },
    ])
    expect(values((await parseTorchCheckpoint(bytes)).tensors.get('w'))).toEqual([1, 2, 3])
  })

  it('reads zero-sized tensors and scalars', async () => {
    const pkl = stateDictPickle([
      { name: 'empty', key: '0', numel: 2, shape: [0, 5] },
      { name: 'scalar', key: '0', numel: 2, offset: 1, shape: [] },
    ])
    const ck = await parseTorchCheckpoint(checkpoint(pkl, { '0': f32([3, 4]) }))
    expect(ck.tensors.get('empty')!.shape).toEqual([0, 5])
    expect(values(ck.tensors.get('empty'))).toEqual([])
    expect(values(ck.tensors.get('scalar'))).toEqual([4])
  })
})

describe('model folders with PyTorch weights', () => {
  it('accepts a folder holding only pytorch_model.bin and lists the unused weights', async () => {
    const dir = await writeTinyModel()
    await rm(join(dir, 'model.safetensors'))
    await writeFile(join(dir, 'pytorch_model.bin'), tinyTorchCheckpoint())
    const info = await inspectModelFolder(dir)
    expect(info.weightsFormat).toBe('pytorch')
    expect(info.weightsPath).toBe(join(dir, 'pytorch_model.bin'))
    expect(info.skippedWeights).toEqual([
      'bert.embeddings.position_ids',
      'cls.predictions.bias',
      'cls.predictions.decoder.weight',
    ])
    expect(Object.keys(info.sha256)).toContain('pytorch_model.bin')
  })

  it('refuses pytorch word embeddings that disagree with config.json, from the pickle alone', async () => {
    const dir = await writeTinyModel()
    await rm(join(dir, 'model.safetensors'))
    const specs = [
      { name: 'embeddings.word_embeddings.weight', key: '0', numel: 120, shape: [24, 5] },
    ]
    await writeFile(
      join(dir, 'pytorch_model.bin'),
      checkpoint(stateDictPickle(specs), { '0': f32(iota(120)) }),
    )
    await expect(inspectModelFolder(dir)).rejects.toMatchObject({
      message: 'tiny-bert: word embeddings are [24,5] but config.json says [24, 4]',
    })
  })

  it('imports a pytorch folder, copying the .bin but not an unused safetensors twin', async () => {
    const src = await writeTinyModel()
    await rm(join(src, 'model.safetensors'))
    await writeFile(join(src, 'pytorch_model.bin'), tinyTorchCheckpoint())
    await writeFile(join(src, 'tf_model.h5'), 'not copied')
    const root = await tempDir()
    const info = await importModelFolder(src, root, 'zh')
    expect((await readdir(info.dir)).sort()).toEqual([
      'README.md',
      'config.json',
      'pytorch_model.bin',
      'tokenizer_config.json',
      'vocab.txt',
    ])
    expect(info.weightsPath).toBe(join(root, 'zh', 'pytorch_model.bin'))
    expect(info.skippedWeights).toHaveLength(3)
  })

  it('reads sharded pytorch weights through their index and imports every shard', async () => {
    const dir = await writeTinyModel()
    await rm(join(dir, 'model.safetensors'))
    const shard1 = checkpoint(
      stateDictPickle([
        { name: 'embeddings.word_embeddings.weight', key: '0', numel: 96, shape: [24, 4] },
      ]),
      { '0': f32(iota(96)) },
    )
    const shard2 = checkpoint(
      stateDictPickle([{ name: 'pooler.dense.bias', key: '0', numel: 4, shape: [4] }]),
      {
        '0': f32([9, 8, 7, 6]),
      },
    )
    await writeFile(join(dir, 'pytorch_model-00001-of-00002.bin'), shard1)
    await writeFile(join(dir, 'pytorch_model-00002-of-00002.bin'), shard2)
    await writeFile(
      join(dir, 'pytorch_model.bin.index.json'),
      JSON.stringify({
        metadata: { total_size: 400 },
        weight_map: {
          'embeddings.word_embeddings.weight': 'pytorch_model-00001-of-00002.bin',
          'pooler.dense.bias': 'pytorch_model-00002-of-00002.bin',
        },
      }),
    )
    const w = await readModelWeights(dir)
    expect(w.format).toBe('pytorch')
    expect([...w.tensors.keys()]).toEqual([
      'embeddings.word_embeddings.weight',
      'pooler.dense.bias',
    ])
    expect(values(w.tensors.get('pooler.dense.bias'))).toEqual([9, 8, 7, 6])
    const info = await importModelFolder(dir, await tempDir(), 'sharded')
    expect(info.weightsPath).toBe(join(info.dir, 'pytorch_model.bin.index.json'))
    expect(Object.keys(info.sha256).filter((f) => f.startsWith('pytorch_model'))).toEqual([
      'pytorch_model-00001-of-00002.bin',
      'pytorch_model-00002-of-00002.bin',
      'pytorch_model.bin.index.json',
    ])
    expect(info.skippedWeights).toEqual([])
  })

  it('reads sharded safetensors through model.safetensors.index.json', async () => {
    const dir = await writeTinyModel()
    const { f32Safetensors } = await import('./safetensors-builder')
    await rm(join(dir, 'model.safetensors'))
    await writeFile(
      join(dir, 'model-00001-of-00002.safetensors'),
      f32Safetensors({ 'embeddings.word_embeddings.weight': { shape: [24, 4], values: iota(96) } }),
    )
    await writeFile(
      join(dir, 'model-00002-of-00002.safetensors'),
      f32Safetensors({ 'cls.predictions.bias': { shape: [2], values: [1, 2] } }),
    )
    await writeFile(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({
        weight_map: {
          'embeddings.word_embeddings.weight': 'model-00001-of-00002.safetensors',
          'cls.predictions.bias': 'model-00002-of-00002.safetensors',
        },
      }),
    )
    const info = await inspectModelFolder(dir, { hashes: false })
    expect([info.weightsFormat, info.skippedWeights]).toEqual([
      'safetensors',
      ['cls.predictions.bias'],
    ])
    expect((await readModelWeights(info.weightsPath)).tensors.size).toBe(2)
  })

  it('names MLM/NSP heads, an unused pooler and position_ids as unused', () => {
    const config = parseBertConfig(
      JSON.parse(readFileSync(join(TINY_FIXTURE, 'config.json'), 'utf8')),
    )
    const names = [
      'bert.embeddings.word_embeddings.weight',
      'bert.embeddings.position_ids',
      'bert.pooler.dense.weight',
      'cls.seq_relationship.weight',
      'classifier.bias',
    ]
    expect(unusedWeightNames(config, names, 'mean')).toEqual([
      'bert.embeddings.position_ids',
      'bert.pooler.dense.weight',
      'cls.seq_relationship.weight',
    ])
    expect(unusedWeightNames(config, names, 'cls')).toEqual([
      'bert.embeddings.position_ids',
      'cls.seq_relationship.weight',
    ])
  })
})

describe('checkpoints refused at model load', () => {
  async function folderWith(specs: TensorSpec[], storages: Record<string, Uint8Array>) {
    const dir = await writeTinyModel()
    await rm(join(dir, 'model.safetensors'))
    await writeFile(join(dir, 'pytorch_model.bin'), checkpoint(stateDictPickle(specs), storages))
    return dir
  }

  it('refuses a known parameter with the wrong shape, naming it', async () => {
    const config = parseBertConfig(
      JSON.parse(readFileSync(join(TINY_FIXTURE, 'config.json'), 'utf8')),
    )
    const specs: TensorSpec[] = []
    const storages: Record<string, Uint8Array> = {}
    bertParamSpecs(config, 2, 'cls').forEach((s, i) => {
      const bad = s.name === 'encoder.layer.0.attention.self.query.weight'
      const shape = bad ? [2, 8] : s.shape
      const n = shape.reduce((a, b) => a * b, 1)
      specs.push({ name: `bert.${s.name}`, key: String(i), numel: n, shape })
      storages[String(i)] = f32(iota(n).map((v) => v / 100))
    })
    const dir = await folderWith(specs, storages)
    await expect(createBertAdapter(dir, { numClasses: 2 })).rejects.toMatchObject({
      code: 'bad-input',
      message:
        'The model weight encoder.layer.0.attention.self.query.weight has shape [2, 8] but config.json implies [4, 4].',
    })
  })

  it('refuses a shard index that points outside the model folder', async () => {
    const dir = await writeTinyModel()
    await rm(join(dir, 'model.safetensors'))
    await writeFile(
      join(dir, 'pytorch_model.bin.index.json'),
      JSON.stringify({ weight_map: { 'embeddings.word_embeddings.weight': '../../etc/x.bin' } }),
    )
    await expect(inspectModelFolder(dir)).rejects.toMatchObject({
      message:
        'pytorch_model.bin.index.json: weight "embeddings.word_embeddings.weight" points at "../../etc/x.bin", which is not a .bin file in the model folder',
    })
  })

  it('refuses two shards that both hold a weight', async () => {
    const dir = await writeTinyModel()
    await rm(join(dir, 'model.safetensors'))
    const shard = checkpoint(
      stateDictPickle([
        { name: 'embeddings.word_embeddings.weight', key: '0', numel: 96, shape: [24, 4] },
      ]),
      { '0': f32(iota(96)) },
    )
    await writeFile(join(dir, 'pytorch_model-00001-of-00002.bin'), shard)
    await writeFile(join(dir, 'pytorch_model-00002-of-00002.bin'), shard)
    await writeFile(
      join(dir, 'pytorch_model.bin.index.json'),
      JSON.stringify({
        weight_map: {
          'embeddings.word_embeddings.weight': 'pytorch_model-00001-of-00002.bin',
          'x.bias': 'pytorch_model-00002-of-00002.bin',
        },
      }),
    )
    await expect(readModelWeights(dir)).rejects.toMatchObject({
      message:
        'pytorch_model.bin.index.json: both pytorch_model-00001-of-00002.bin and pytorch_model-00002-of-00002.bin hold the weight "embeddings.word_embeddings.weight"',
    })
  })
})
