// Regression tests from fuzzing (test/fuzz/model-files.fuzz.test.ts): a damaged training
// checkpoint is refused with a CtsError('bad-input') that says so, never a SyntaxError,
// TypeError or RangeError from inside the reader.
import { describe, expect, it } from 'vitest'
import { decodeCheckpoint, encodeCheckpoint } from '../../../../main/ml/train/checkpoint'

const MAGIC = Buffer.from('CTSCKPT1', 'ascii')

/** A checkpoint file whose header is the given text (and `data` after the aligned header). */
function withHeader(text: string, data = Buffer.alloc(0), declared?: number): Buffer {
  const json = Buffer.from(text, 'utf8')
  const len = Buffer.alloc(4)
  len.writeUInt32LE(declared ?? json.length)
  const head = Buffer.concat([MAGIC, len, json])
  const pad = Buffer.alloc(Math.ceil(head.length / 8) * 8 - head.length)
  return Buffer.concat([head, pad, data])
}

const refusal = (buf: Buffer) => {
  try {
    decodeCheckpoint(buf)
  } catch (e) {
    return {
      name: (e as Error).name,
      code: (e as { code?: string }).code,
      message: (e as Error).message,
    }
  }
  return 'accepted'
}
const damaged = (why: string) => ({
  name: 'CtsError',
  code: 'bad-input',
  message: `The training checkpoint is damaged (${why}); delete it to start this training afresh.`,
})

describe('a damaged training checkpoint', () => {
  it('is refused with a CtsError naming what is wrong', () => {
    expect(refusal(Buffer.from([252]))).toEqual({
      name: 'CtsError',
      code: 'bad-input',
      message: 'not a Clinical Text Studio checkpoint',
    })
    expect(refusal(withHeader('{}', Buffer.alloc(0), 4000))).toEqual(
      damaged('its header is truncated'),
    )
    expect(refusal(withHeader('{"tensors": [}'))).toEqual(damaged('its header is not valid JSON'))
    expect(refusal(withHeader('null'))).toEqual(damaged('its header lists no tensors'))
    expect(refusal(withHeader('{"tensors": 5}'))).toEqual(damaged('its header lists no tensors'))
    expect(refusal(withHeader('{"tensors": [null]}'))).toEqual(
      damaged('tensor 0 has no name of its own'),
    )
    expect(
      refusal(withHeader('{"tensors": [{"name": "w", "dims": [2], "offset": 0, "length": -2}]}')),
    ).toEqual(damaged('tensor w has an impossible place or size'))
    expect(
      refusal(
        withHeader(
          '{"tensors": [{"name": "w", "dims": [3], "offset": 0, "length": 2}]}',
          Buffer.alloc(8),
        ),
      ),
    ).toEqual(damaged('tensor w has dimensions that do not match its size'))
    expect(
      refusal(
        withHeader(
          '{"tensors": [{"name": "w", "dims": [4], "offset": 0, "length": 4}]}',
          Buffer.alloc(8),
        ),
      ),
    ).toEqual(damaged('it is truncated at w'))
  })

  it('still reads an intact checkpoint, and a truncated one is refused', () => {
    const good = encodeCheckpoint({
      tensors: { w: { dims: [2], data: Float32Array.from([1.5, -2]) } },
      state: { step: 3 },
    })
    const back = decodeCheckpoint<{ step: number }>(good)
    expect([...back.tensors.w.data]).toEqual([1.5, -2])
    expect(back.state.step).toBe(3)
    expect(refusal(good.subarray(0, good.length - 1))).toEqual(damaged('it is truncated at w'))
  })
})
