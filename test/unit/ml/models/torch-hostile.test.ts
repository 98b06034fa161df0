// Hostile PyTorch checkpoints (recipes in torch-hostile-cases.ts): each is refused with its own
// message naming the offending global, opcode or entry, and no payload ran (its marker file is absent).
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CtsError } from '../../../../preload/contract/common'
import { parseTorchCheckpoint } from '../../../../main/ml/models/torch-checkpoint'
import { HOSTILE } from './torch-hostile-cases'
import { tempDir } from './tiny-model'

async function refusal(bytes: Uint8Array): Promise<CtsError> {
  try {
    await parseTorchCheckpoint(bytes)
  } catch (err) {
    if (err instanceof CtsError) return err
    throw err
  }
  throw new Error('expected the checkpoint to be refused')
}

describe('hostile PyTorch checkpoints', () => {
  it('has at least 30 cases, each with its own message', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(30)
    expect(new Set(HOSTILE.map((c) => c.message)).size).toBe(HOSTILE.length)
  })

  for (const c of HOSTILE) {
    it(`refuses ${c.name}`, async () => {
      const dir = await tempDir('cts-hostile-')
      const marker = join(dir, 'payload-ran')
      const err = await refusal(c.build(marker))
      expect({ code: err.code, message: err.message }).toEqual({
        code: c.code ?? 'bad-input',
        message: c.message,
      })
      expect(existsSync(marker)).toBe(false)
      await rm(dir, { recursive: true })
    })
  }
})
