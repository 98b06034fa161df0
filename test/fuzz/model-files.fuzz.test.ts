// Fuzzing the model-file readers (issue #15 point 7): safetensors, PyTorch zip checkpoints (the zip
// reader and the restricted unpickler) and the app's own training checkpoints. Random bytes,
// mutations of valid files, and structured-but-wrong headers and pickles: each input gives a
// result or a CtsError with a message, within 5 s.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseSafetensors } from '../../main/ml/models/safetensors'
import { parseTorchCheckpoint } from '../../main/ml/models/torch-checkpoint'
import { decodeCheckpoint, encodeCheckpoint } from '../../main/ml/train/checkpoint'
import { f32Safetensors, safetensorsBytes } from '../unit/ml/models/safetensors-builder'
import {
  checkpoint,
  f32,
  stateDictPickle,
  tinyTorchCheckpoint,
} from '../unit/ml/models/torch-builder'
import { ctsErrorOrResult, fuzz, mutated, randomBytes } from './harness'

const RUNS = 300

/** Integers where readers go wrong: 0, ±1, powers of two, past 2^32 and 2^53. */
const edgyInt = fc.oneof(
  fc.integer({ min: -2, max: 64 }),
  fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 32 + 4, 2 ** 53, -(2 ** 31), 1e300, 0.5, -0),
)

describe('safetensors reader under fuzzing', () => {
  const valid = f32Safetensors(
    {
      'bert.embeddings.word_embeddings.weight': { shape: [3, 2], values: [0, 1, 2, 3, 4, 5] },
      bias: { shape: [2], values: [0.5, -1] },
    },
    { format: 'pt' },
  )
  const entry = fc.record(
    {
      dtype: fc.oneof(
        fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'F64', 'U8', 'BOOL'),
        fc.string({ maxLength: 5 }),
      ),
      shape: fc.oneof(fc.array(edgyInt, { maxLength: 4 }), fc.anything()),
      data_offsets: fc.oneof(
        fc.tuple(edgyInt, edgyInt),
        fc.array(edgyInt, { maxLength: 3 }),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  )
  const header = fc.dictionary(
    fc.oneof(fc.constantFrom('__metadata__', 'w', 'bias', ''), fc.string({ maxLength: 8 })),
    fc.oneof({ arbitrary: entry, weight: 4 }, { arbitrary: fc.anything(), weight: 1 }),
    { maxKeys: 5 },
  )
  const structured = fc
    .tuple(
      header,
      fc.uint8Array({ maxLength: 96 }),
      fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    )
    .map(([h, data, lie]) => safetensorsBytes(h, data, lie ?? undefined))

  it('gives a result or a CtsError for every input', async () => {
    const count = await fuzz(
      'safetensors',
      fc.oneof(mutated(valid), structured, randomBytes),
      RUNS,
      (bytes) => ctsErrorOrResult(async () => parseSafetensors(bytes)),
    )
    expect(count.inputs).toBe(RUNS)
  })
})

describe('PyTorch checkpoint reader under fuzzing', () => {
  const tiny = tinyTorchCheckpoint()
  const pkl = stateDictPickle([{ name: 'w', key: '0', numel: 6, shape: [2, 3] }])
  const storage = { '0': f32([0, 1, 2, 3, 4, 5]) }
  /** Opcodes the unpickler knows and some it must refuse, with random argument bytes between. */
  const opcodeSoup = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          0x80,
          0x28,
          0x2e,
          0x4e,
          0x88,
          0x89,
          0x4b,
          0x4d,
          0x4a,
          0x8a,
          0x58,
          0x8c,
          0x63,
          0x93,
          0x74,
          0x85,
          0x86,
          0x87,
          0x29,
          0x52,
          0x51,
          0x7d,
          0x5d,
          0x73,
          0x75,
          0x65,
          0x62,
          0x71,
          0x72,
          0x68,
          0x6a,
          0x94,
          0x95,
          0x30,
          0x31,
          0x32,
          0x69,
          0x6f,
          0x81,
        ),
        fc.integer({ min: 0, max: 255 }),
      ),
      { maxLength: 200 },
    )
    .map((ops) => checkpoint(Uint8Array.from([0x80, 2, ...ops, 0x2e]), storage))

  it('gives a result or a CtsError for every input', async () => {
    const count = await fuzz(
      'torch-checkpoint',
      fc.oneof(
        mutated(tiny),
        mutated(pkl).map((p) => checkpoint(p, storage)),
        opcodeSoup,
        randomBytes,
      ),
      RUNS,
      (bytes) => ctsErrorOrResult(() => parseTorchCheckpoint(bytes)),
    )
    expect(count.inputs).toBe(RUNS)
  })
})

describe('training checkpoint reader under fuzzing', () => {
  const valid = encodeCheckpoint({
    tensors: {
      'layer.0.weight': { dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
      'adam.m.layer.0.weight': { dims: [4], data: new Float32Array(4) },
    },
    state: { step: 12, epoch: 1, best: { f1: 0.8 } },
  })
  const MAGIC = new TextEncoder().encode('CTSCKPT1')
  const tensorEntry = fc.record(
    {
      name: fc.string({ maxLength: 6 }),
      dims: fc.oneof(fc.array(edgyInt, { maxLength: 3 }), fc.anything()),
      offset: fc.oneof(edgyInt, fc.anything()),
      length: fc.oneof(edgyInt, fc.anything()),
    },
    { requiredKeys: [] },
  )
  const structured = fc
    .tuple(
      fc.oneof(
        fc.record(
          {
            state: fc.anything(),
            tensors: fc.oneof(fc.array(tensorEntry, { maxLength: 4 }), fc.anything()),
          },
          { requiredKeys: [] },
        ),
        fc.anything(),
      ),
      fc.uint8Array({ maxLength: 64 }),
      fc.option(fc.nat()),
    )
    .map(([header, data, lie]) => {
      const json = new TextEncoder().encode(JSON.stringify(header) ?? '')
      const out = new Uint8Array(12 + json.length + 4 + data.length)
      out.set(MAGIC)
      new DataView(out.buffer).setUint32(8, lie ?? json.length, true)
      out.set(json, 12)
      out.set(data, 16 + json.length)
      return out
    })

  it('gives a result or a CtsError for every input', async () => {
    const count = await fuzz(
      'training-checkpoint',
      fc.oneof(mutated(valid), structured, randomBytes),
      RUNS,
      (bytes) => ctsErrorOrResult(async () => decodeCheckpoint(Buffer.from(bytes))),
    )
    expect(count.inputs).toBe(RUNS)
  })
})
