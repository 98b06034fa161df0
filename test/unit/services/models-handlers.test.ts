// 'models/list' and 'models/import' (what the training form offers as base models) and the
// `cts model import|list` commands over them, with the tiny BERT fixture.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ModelsService } from '../../../main/services/models-service'
import { modelsHandlers } from '../../../main/services/models-handlers'
import { dispatchCall } from '../../../main/root/dispatch'
import { runCts } from '../cli/cts-process'
import { writeTinyModel } from '../ml/models/tiny-model'

const homes: string[] = []
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })))
const newHome = () => {
  const h = mkdtempSync(join(tmpdir(), 'cts-models-'))
  homes.push(h)
  return h
}

describe('models handlers', () => {
  it('imports a model folder under a name and lists it after the bundled default', async () => {
    const home = newHome()
    const h = modelsHandlers(
      new ModelsService({ home, bundledDir: join(home, 'no-bundled-model') }),
    )
    const tiny = await writeTinyModel()
    const imported = await h['models/import']({ dir: tiny, name: 'zh-tiny' })
    expect(imported).toMatchObject({
      id: 'zh-tiny',
      source: 'imported',
      hiddenSize: 4,
      dir: join(home, 'models', 'zh-tiny'),
    })
    expect((await h['models/list']({})).map((m) => m.id)).toEqual(['zh-tiny'])
    await expect(h['models/import']({ dir: tiny, name: 'zh-tiny' })).rejects.toMatchObject({
      code: 'conflict',
    })
    // Arguments are validated once, at the dispatch boundary.
    expect(await dispatchCall(h, 'models/import', { dir: '' })).toMatchObject({
      ok: false,
      error: { code: 'bad-input' },
    })
  })
})

describe('cts model', () => {
  const cts = runCts

  it('imports with --name and lists the bundled and imported models as JSON', async () => {
    const home = newHome()
    const tiny = await writeTinyModel()
    const { stdout } = await cts(home, ['model', 'import', tiny, '--name', 'zh-tiny', '--json'])
    expect(JSON.parse(stdout)).toMatchObject({
      id: 'zh-tiny',
      source: 'imported',
      numLayers: expect.any(Number),
    })
    const list = JSON.parse((await cts(home, ['model', 'list', '--json'])).stdout) as {
      id: string
      source: string
    }[]
    // The bundled default comes first when it is installed (scripts/setup-model.sh).
    expect(list.map((m) => [m.id, m.source]).filter(([id]) => id !== 'default')).toEqual([
      ['zh-tiny', 'imported'],
    ])
    expect(list.findIndex((m) => m.id === 'default')).toBeLessThan(1)
  }, 60_000)

  it('exits 2 naming the problem when the folder is not a model', async () => {
    const home = newHome()
    const err = await cts(home, ['model', 'import', home]).catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect(err).toMatchObject({ code: 2 })
    expect((err as { stderr: string }).stderr).toMatch(/^Error: .*config\.json/)
  }, 60_000)
})
