// safetensors reader: correct values for every dtype we load, and a specific refusal (never a
// crash or a huge allocation) for each way a header can be damaged or hostile.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CtsError } from '../../../../preload/contract/common'
import {
  findDuplicateJsonKey,
  parseSafetensors,
  readSafetensorsFile,
} from '../../../../main/ml/models/safetensors'
import { f32Safetensors, safetensorsBytes } from './safetensors-builder'

const MINILM = join(process.cwd(), 'resources/models/all-MiniLM-L6-v2/model.safetensors')

function refusal(bytes: Uint8Array): { code: string; message: string } {
  try {
    parseSafetensors(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(CtsError)
    return { code: (err as CtsError).code, message: (err as CtsError).message }
  }
  throw new Error('expected the file to be refused')
}

const u16 = (values: number[]) => new Uint8Array(new Uint16Array(values).buffer)
const entry = (dtype: string, shape: number[], begin: number, end: number) => ({
  dtype,
  shape,
  data_offsets: [begin, end],
})

describe('parseSafetensors on valid files', () => {
  it('reads float32 tensors with their shapes and metadata', () => {
    const file = parseSafetensors(
      f32Safetensors(
        { a: { shape: [2, 2], values: [1, -2.5, 3, 0.125] }, b: { shape: [3], values: [7, 8, 9] } },
        { format: 'pt' },
      ),
    )
    expect([...file.tensors.keys()]).toEqual(['a', 'b'])
    expect(file.tensors.get('a')).toEqual({
      dtype: 'F32',
      shape: [2, 2],
      data: new Float32Array([1, -2.5, 3, 0.125]),
    })
    expect(Array.from(file.tensors.get('b')!.data)).toEqual([7, 8, 9])
    expect(file.metadata).toEqual({ format: 'pt' })
  })

  it('widens float16 bit patterns exactly, including subnormals and infinity', () => {
    const bits = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00, 0x8000]
    const bytes = safetensorsBytes({ h: entry('F16', [7], 0, 14) }, u16(bits))
    const t = parseSafetensors(bytes).tensors.get('h')!
    expect(t.dtype).toBe('F16')
    expect(Array.from(t.data)).toEqual([1, -2, 0.5, 65504, 2 ** -24, Infinity, -0])
  })

  it('widens bfloat16 as the top half of a float32', () => {
    const bytes = safetensorsBytes({ b: entry('BF16', [2], 0, 4) }, u16([0x3fc0, 0xc050]))
    expect(Array.from(parseSafetensors(bytes).tensors.get('b')!.data)).toEqual([1.5, -3.25])
  })

  it('copies float32 data whose file offset is not 4-byte aligned', () => {
    // A 13-byte header puts the data at offset 21.
    const header = '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'.padEnd(57, ' ')
    const bytes = safetensorsBytes(header, new Uint8Array(new Float32Array([1.25, -6]).buffer))
    expect((8 + 57) % 4).not.toBe(0)
    expect(Array.from(parseSafetensors(bytes).tensors.get('x')!.data)).toEqual([1.25, -6])
  })

  it('accepts zero-element tensors and skips an I64 position_ids buffer', () => {
    const data = new Uint8Array(16 + 4)
    new DataView(data.buffer).setFloat32(16, 2, true)
    const bytes = safetensorsBytes(
      {
        'embeddings.position_ids': entry('I64', [1, 2], 0, 16),
        empty: entry('F32', [0, 5], 16, 16),
        w: entry('F32', [1], 16, 20),
      },
      data,
    )
    const file = parseSafetensors(bytes)
    expect(file.skipped).toEqual(['embeddings.position_ids'])
    expect(file.tensors.get('empty')!.data.length).toBe(0)
    expect(Array.from(file.tensors.get('w')!.data)).toEqual([2])
  })

  it('loads the bundled MiniLM weights with the values stored in the file', async () => {
    const started = performance.now()
    const file = await readSafetensorsFile(MINILM)
    const ms = performance.now() - started
    const word = file.tensors.get('embeddings.word_embeddings.weight')!
    expect(word.shape).toEqual([30522, 384])
    expect(file.tensors.size).toBe(103)
    expect(file.skipped).toEqual(['embeddings.position_ids'])
    // Independent check: read one LayerNorm bias straight from the bytes with a DataView.
    const raw = await readFile(MINILM)
    const view = new DataView(raw.buffer, raw.byteOffset, raw.length)
    const headerLen = Number(view.getBigUint64(0, true))
    const header = JSON.parse(raw.subarray(8, 8 + headerLen).toString('utf8'))
    const spec = header['encoder.layer.5.output.LayerNorm.bias']
    const start = 8 + headerLen + spec.data_offsets[0]
    const expected = Array.from({ length: 384 }, (_, i) => view.getFloat32(start + 4 * i, true))
    expect(Array.from(file.tensors.get('encoder.layer.5.output.LayerNorm.bias')!.data)).toEqual(
      expected,
    )
    expect(ms).toBeLessThan(3000)
  })
})

describe('parseSafetensors refuses damaged or hostile files', () => {
  it('a file shorter than 8 bytes', () => {
    expect(refusal(new Uint8Array(5))).toEqual({
      code: 'bad-input',
      message: 'model.safetensors: the file is 5 bytes, too short to be a safetensors file',
    })
  })

  it('a header length of 2^63 without allocating it', () => {
    const r = refusal(safetensorsBytes('{}', new Uint8Array(0), 2n ** 63n))
    expect(r.message).toBe(
      'model.safetensors: the header length is larger than the 100 MB limit; the file is damaged or not safetensors',
    )
  })

  it('a header length of 200 MB in a small file', () => {
    expect(refusal(safetensorsBytes('{}', new Uint8Array(0), 200_000_000n)).message).toMatch(
      /100 MB limit/,
    )
  })

  it('a header length past the end of the file', () => {
    expect(refusal(safetensorsBytes('{}', new Uint8Array(0), 50n)).message).toBe(
      'model.safetensors: the header claims 50 bytes but the file has only 2 after the length field',
    )
  })

  it('a header that is not UTF-8', () => {
    const bytes = safetensorsBytes('{"a":1}')
    bytes[10] = 0xff
    expect(refusal(bytes).message).toBe('model.safetensors: the header is not valid UTF-8')
  })

  it('a header that is not JSON', () => {
    expect(refusal(safetensorsBytes('{"a": ')).message).toBe(
      'model.safetensors: the header is not valid JSON',
    )
  })

  it('a header that is a JSON array', () => {
    expect(refusal(safetensorsBytes('[1,2]')).message).toBe(
      'model.safetensors: the header must be a JSON object of tensors',
    )
  })

  it('a tensor named twice (JSON.parse would silently keep the last)', () => {
    const e = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}'
    const bytes = safetensorsBytes(`{"w":${e},"w":${e}}`, new Uint8Array(4))
    expect(refusal(bytes).message).toBe('model.safetensors: the header declares "w" more than once')
  })

  it('a key repeated inside one tensor entry', () => {
    const bytes = safetensorsBytes(
      '{"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}',
      new Uint8Array(4),
    )
    expect(refusal(bytes).message).toBe(
      'model.safetensors: the header declares "dtype" more than once',
    )
  })

  it('a tensor without a dtype', () => {
    const bytes = safetensorsBytes({ w: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4))
    expect(refusal(bytes).message).toBe('model.safetensors: tensor "w" has no dtype')
  })

  it('an unknown dtype', () => {
    expect(
      refusal(safetensorsBytes({ w: entry('Q4', [1], 0, 1) }, new Uint8Array(1))).message,
    ).toBe('model.safetensors: tensor "w" has unknown dtype "Q4"')
  })

  it('an I64 weight, naming the dtype', () => {
    expect(
      refusal(safetensorsBytes({ 'cls.ids': entry('I64', [1], 0, 8) }, new Uint8Array(8))),
    ).toEqual({
      code: 'unsupported',
      message:
        'model.safetensors: tensor "cls.ids" has dtype I64, which is not supported (supported: F32, F16, BF16)',
    })
  })

  it('an I8 (quantised) weight', () => {
    expect(
      refusal(safetensorsBytes({ q: entry('I8', [4], 0, 4) }, new Uint8Array(4))).message,
    ).toMatch(/tensor "q" has dtype I8, which is not supported/)
  })

  it('a negative or fractional dimension', () => {
    expect(refusal(safetensorsBytes({ w: entry('F32', [-1], 0, 0) })).message).toBe(
      'model.safetensors: tensor "w" has an invalid shape [-1]',
    )
    expect(refusal(safetensorsBytes({ w: entry('F32', [1.5], 0, 0) })).message).toMatch(
      /invalid shape \[1.5\]/,
    )
  })

  it('a shape whose element count overflows', () => {
    const huge = 2 ** 30
    expect(
      refusal(
        safetensorsBytes({ w: entry('F32', [huge, huge, huge, huge], 0, 4) }, new Uint8Array(4)),
      ).message,
    ).toBe(
      `model.safetensors: tensor "w" has shape [${huge},${huge},${huge},${huge}], larger than the whole file`,
    )
  })

  it('data_offsets that are missing or have three numbers', () => {
    expect(
      refusal(safetensorsBytes({ w: { dtype: 'F32', shape: [1] } }, new Uint8Array(4))).message,
    ).toBe('model.safetensors: tensor "w" needs data_offsets [begin, end]')
    expect(
      refusal(
        safetensorsBytes(
          { w: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } },
          new Uint8Array(8),
        ),
      ).message,
    ).toBe('model.safetensors: tensor "w" needs data_offsets [begin, end]')
  })

  it('offsets that end before they begin', () => {
    expect(
      refusal(safetensorsBytes({ w: entry('F32', [0], 4, 0) }, new Uint8Array(4))).message,
    ).toBe('model.safetensors: tensor "w" has data_offsets that end before they begin')
  })

  it('a size that disagrees with the offsets', () => {
    const name = 'encoder.layer.0.intermediate.dense.bias'
    const bytes = safetensorsBytes(
      { [name]: entry('F32', [384], 0, 1532), next: entry('F32', [1], 1532, 1536) },
      new Uint8Array(1536),
    )
    expect(refusal(bytes).message).toBe(
      `model.safetensors: tensor "${name}" declares 1536 bytes but its offsets span 1532`,
    )
  })

  it('offsets past the end of the data', () => {
    expect(
      refusal(safetensorsBytes({ w: entry('F32', [1], 4, 8) }, new Uint8Array(4))).message,
    ).toBe('model.safetensors: tensor "w" ends at byte 8 but the data region holds only 4')
  })

  it('a gap between tensors', () => {
    const bytes = safetensorsBytes(
      { a: entry('F32', [1], 0, 4), b: entry('F32', [1], 8, 12) },
      new Uint8Array(12),
    )
    expect(refusal(bytes).message).toBe(
      'model.safetensors: there is a gap of 4 bytes before tensor "b"',
    )
  })

  it('overlapping tensors', () => {
    const bytes = safetensorsBytes(
      { a: entry('F32', [2], 0, 8), b: entry('F32', [1], 4, 8) },
      new Uint8Array(8),
    )
    expect(refusal(bytes).message).toMatch(/tensor "(a|b)" overlaps the tensor before it/)
  })

  it('bytes after the last tensor', () => {
    expect(
      refusal(safetensorsBytes({ a: entry('F32', [1], 0, 4) }, new Uint8Array(6))).message,
    ).toBe('model.safetensors: 2 bytes at the end of the data belong to no tensor')
  })

  it('metadata that is not a map of strings', () => {
    expect(refusal(safetensorsBytes({ __metadata__: { epochs: 3 } })).message).toBe(
      'model.safetensors: __metadata__ "epochs" must be a string',
    )
  })

  it('a missing file, as not-found', async () => {
    await expect(readSafetensorsFile('/nonexistent/model.safetensors')).rejects.toMatchObject({
      code: 'not-found',
      message: 'model.safetensors: file not found',
    })
  })
})

describe('findDuplicateJsonKey', () => {
  it('tells keys from string values, and separate objects apart', () => {
    expect(findDuplicateJsonKey('{"a":"a","b":{"a":1},"c":[{"a":1},{"a":2}]}')).toBeNull()
    expect(findDuplicateJsonKey('{"x":{"k\\"q":1,"k\\"q" : 2}}')).toBe('k"q')
  })
})
