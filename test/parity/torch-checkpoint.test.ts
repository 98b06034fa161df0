// PyTorch checkpoints read by our reader equal torch.load(weights_only=True) bit for bit (MiniLM
// saved by the venv as float32, float16, bfloat16, sharded, views, protocol 4; the real m3e-small
// saved on cuda:0), a .bin-only model folder gives the safetensors folder's logits, and a hostile
// payload our reader refuses really runs under a plain unpickler.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBertAdapter } from '../../main/ml/models/bert-adapter'
import { readModelWeights } from '../../main/ml/models/load-weights'
import { parseTorchCheckpoint } from '../../main/ml/models/torch-checkpoint'
import { readSafetensorsFile } from '../../main/ml/models/safetensors'
import { HOSTILE } from '../unit/ml/models/torch-hostile-cases'
import { MINILM_DIR, ROOT, makeBatch, ourLogits, refPython } from './bert-harness'

const SCRIPT = join(ROOT, 'test/parity/python/torch_ckpt_ref.py')
const M3E_BIN = join(ROOT, 'resources/models/m3e-small/pytorch_model.bin')
const VARIANTS = ['f32', 'f16', 'bf16', 'sharded', 'views'] as const

let out: string
/** Reference float32 tensors by checkpoint: MiniLM variants, then m3e-small. */
const refs = new Map<string, Map<string, Float32Array>>()

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)

function weightsPath(variant: string): string {
  const dir = join(out, variant)
  return join(dir, variant === 'sharded' ? 'pytorch_model.bin.index.json' : 'pytorch_model.bin')
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cts-torch-parity-'))
  refPython(['save', out, MINILM_DIR], SCRIPT)
  const files = [...VARIANTS.map(weightsPath), M3E_BIN]
  refPython(['ref', ...files, join(out, 'ref')], SCRIPT)
  for (let i = 0; i < files.length; i++) {
    const t = (await readSafetensorsFile(join(out, 'ref', `${i}.safetensors`))).tensors
    refs.set(files[i], new Map([...t].map(([k, v]) => [k, v.data])))
  }
}, 240_000)

afterAll(() => rm(out, { recursive: true, force: true }))

/** Every float tensor equal bit for bit, same names; returns how many values were compared. */
async function expectBitEqual(path: string, refPath = path): Promise<number> {
  const ours = await readModelWeights(path)
  const ref = refs.get(refPath)!
  expect([...ours.tensors.keys()].sort()).toEqual([...ref.keys()].sort())
  let values = 0
  for (const [name, t] of ours.tensors) {
    const r = ref.get(name)!
    if (!bytesOf(t.data).equals(bytesOf(r))) throw new Error(`${path}: ${name} differs from torch`)
    values += r.length
  }
  return values
}

describe('PyTorch checkpoints equal torch.load(weights_only=True)', () => {
  for (const v of VARIANTS) {
    it(`reads MiniLM saved as ${v} bit for bit`, async () => {
      const n = await expectBitEqual(weightsPath(v))
      expect(n).toBeGreaterThan(22_000_000)
    })
  }

  it('reads MiniLM saved with pickle protocol 4 bit for bit', async () => {
    // torch's weights_only unpickler refuses protocol 4's FRAME opcode, so the reference is
    // torch.load of the same state dict saved with the default protocol.
    const n = await expectBitEqual(join(out, 'p4', 'pytorch_model.bin'), weightsPath('f32'))
    expect(n).toBeGreaterThan(22_000_000)
  })

  it('reads the real m3e-small checkpoint (saved on cuda:0) bit for bit', async () => {
    const n = await expectBitEqual(M3E_BIN)
    const w = await readModelWeights(M3E_BIN)
    expect(w.tensors.get('embeddings.word_embeddings.weight')!.shape).toEqual([21128, 512])
    expect(w.skipped).toEqual(['embeddings.position_ids'])
    expect(n).toBeGreaterThan(20_000_000)
  })

  it('shares storages: the tied decoder and the word embeddings are one buffer', async () => {
    const w = await readModelWeights(weightsPath('views'))
    const a = w.tensors.get('embeddings.word_embeddings.weight')!
    const b = w.tensors.get('cls.predictions.decoder.weight')!
    expect(a.data.buffer).toBe(b.data.buffer)
  })
})

describe('a model folder holding only pytorch_model.bin', () => {
  it('builds a classifier whose logits equal the safetensors folder’s', async () => {
    const dir = join(out, 'minilm-bin')
    mkdirSync(join(dir, '1_Pooling'), { recursive: true })
    for (const f of readdirSync(MINILM_DIR)) {
      if (f !== 'model.safetensors' && f !== '1_Pooling')
        copyFileSync(join(MINILM_DIR, f), join(dir, f))
    }
    copyFileSync(join(MINILM_DIR, '1_Pooling/config.json'), join(dir, '1_Pooling/config.json'))
    copyFileSync(weightsPath('f32'), join(dir, 'pytorch_model.bin'))
    const opts = { numClasses: 3, maxLength: 16, initSeed: 7 }
    const fromBin = await createBertAdapter(dir, opts)
    const fromSt = await createBertAdapter(MINILM_DIR, opts)
    expect(fromBin.info.weightsFormat).toBe('pytorch')
    expect(fromSt.info.weightsFormat).toBe('safetensors')
    const batch = makeBatch({
      lengths: [9, 5, 16],
      vocab: 30522,
      numLabels: 3,
      seed: 3,
      cls: 101,
      sep: 102,
      firstId: 1000,
    })
    const a = await ourLogits(fromBin.model, batch)
    const b = await ourLogits(fromSt.model, batch)
    expect(a).toEqual(b)
  }, 120_000)
})

describe('hostile payloads are real', () => {
  it('a plain unpickler runs the os.system payload our reader refuses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cts-payload-'))
    const marker = join(dir, 'payload-ran')
    const bytes = HOSTILE[0].build(marker)
    await expect(parseTorchCheckpoint(bytes)).rejects.toMatchObject({ message: HOSTILE[0].message })
    expect(existsSync(marker)).toBe(false)
    const file = join(dir, 'pytorch_model.bin')
    writeFileSync(file, bytes)
    refPython(['unsafe-load', file], SCRIPT)
    expect(existsSync(marker)).toBe(true)
    await rm(dir, { recursive: true, force: true })
  })
})
