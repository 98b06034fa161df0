// `cts model import` of a folder holding only pytorch_model.bin: it imports, and the checkpoint
// tensors the classifier does not use (MLM head, position_ids) are listed, not refused.
import { mkdtempSync, rmSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCts } from './cts-process'
import { writeTinyModel } from '../ml/models/tiny-model'
import { tinyTorchCheckpoint } from '../ml/models/torch-builder'

const home = mkdtempSync(join(tmpdir(), 'cts-models-bin-'))
afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('cts model import with PyTorch weights', () => {
  it('imports a pytorch_model.bin folder and prints the skipped weights', async () => {
    const tiny = await writeTinyModel()
    await rm(join(tiny, 'model.safetensors'))
    await writeFile(join(tiny, 'pytorch_model.bin'), tinyTorchCheckpoint())
    const { stdout } = await runCts(home, ['model', 'import', tiny, '--name', 'zh-bin'])
    expect(stdout).toContain(
      [
        'Weights not used by the classifier (3, skipped):',
        '  bert.embeddings.position_ids',
        '  cls.predictions.bias',
        '  cls.predictions.decoder.weight',
      ].join('\n'),
    )
    const json = await runCts(home, ['model', 'list', '--json'])
    const m = (JSON.parse(json.stdout) as { id: string; weightsFormat?: string }[]).find(
      (x) => x.id === 'zh-bin',
    )
    expect(m?.weightsFormat).toBe('pytorch')
  }, 60_000)
})
