import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  NonFiniteError,
  saveCheckpoint,
} from '../../../../main/ml/train/checkpoint'

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cts-ckpt-'))
  dirs.push(d)
  return d
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

const ckpt = {
  tensors: {
    w: { dims: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-8, -7]) },
    'm.w': { dims: [1], data: new Float32Array([0.25]) },
  },
  state: { step: 12, epoch: 1, rngState: 123456789, best: { score: 0.61, epoch: 0 } },
}

describe('checkpoint', () => {
  it('round-trips tensors and state exactly', () => {
    const back = decodeCheckpoint(encodeCheckpoint(ckpt))
    expect(back.state).toEqual(ckpt.state)
    expect(back.tensors.w.dims).toEqual([2, 3])
    expect([...back.tensors.w.data]).toEqual([...ckpt.tensors.w.data])
    expect([...back.tensors['m.w'].data]).toEqual([0.25])
  })

  it('writes atomically and leaves no temp files', () => {
    const d = tmp()
    const p = join(d, 'last.ckpt')
    saveCheckpoint(p, ckpt)
    saveCheckpoint(p, { ...ckpt, state: { ...ckpt.state, step: 13 } })
    expect(readdirSync(d)).toEqual(['last.ckpt'])
    expect(loadCheckpoint<{ step: number }>(p)!.state.step).toBe(13)
    expect(loadCheckpoint(join(d, 'missing.ckpt'))).toBeUndefined()
  })

  it('refuses to save non-finite weights and keeps the previous file', () => {
    const d = tmp()
    const p = join(d, 'last.ckpt')
    saveCheckpoint(p, ckpt)
    const before = readFileSync(p)
    const bad = {
      ...ckpt,
      tensors: { ...ckpt.tensors, w: { dims: [1], data: new Float32Array([NaN]) } },
    }
    expect(() => saveCheckpoint(p, bad)).toThrow(NonFiniteError)
    expect(readFileSync(p).equals(before)).toBe(true)
  })

  it('rejects a file that is not a checkpoint', () => {
    expect(() => decodeCheckpoint(Buffer.from('hello world!'))).toThrow(
      /not a Clinical Text Studio/,
    )
  })
})
