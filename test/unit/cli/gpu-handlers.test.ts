// The 'gpu/…' calls behind every transport (issue #14 point 1): they answer on an encrypted
// workspace that is still locked (the pack is the machine's), progress reaches 'gpu/progress'
// throttled, a second install while one runs is refused, and a folder install needs its folder.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { GpuProgressDto, GpuStatusDto } from '../../../preload/contract'
import { ForkHost } from '../../../main/jobs/fork-host'
import type { Backend } from '../../../main/root/boot'
import { lockableBoot } from '../../../main/root/lockable-boot'
import { encryptWorkspaceAt } from '../../../main/root/workspace-admin'
import { forgetWorkspaceKeys } from '../../../main/store/workspace-key'
import { gpuHandlers, progressPublisher, type GpuDeps } from '../../../main/services/gpu-handlers'

const STATUS: GpuStatusDto = {
  platform: 'linux-x64',
  supported: true,
  gpu: { present: false, name: null },
  driver: { version: null, minimum: '580', ok: false },
  pack: {
    state: 'not-installed',
    dir: '/p/cuda13-ort1.30.0',
    version: 'cuda13-ort1.30.0',
    sizeBytes: 9,
    files: [],
  },
  cuda: { sessionStarts: null, error: null },
  message: 'No NVIDIA GPU was found on this computer.',
  licences: [{ name: 'onnxruntime-gpu', licence: 'MIT' }],
}

let home: string
let backend: Backend | undefined
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-gpu-handlers-'))
})
afterEach(async () => {
  await backend?.shutdown()
  backend = undefined
  forgetWorkspaceKeys()
  rmSync(home, { recursive: true, force: true })
})

describe('gpu calls', () => {
  it('answer on a locked workspace, while its own calls stay refused', async () => {
    encryptWorkspaceAt(home, 'open sesame 芝麻开门', 'tester', { cost: { N: 2 ** 12, r: 8, p: 1 } })
    const asked: unknown[] = []
    const gpu: Partial<GpuDeps> = {
      status: async (opts) => (asked.push(opts), STATUS),
      remove: async () => ({ removed: false, dir: '/p/cuda13-ort1.30.0' }),
    }
    backend = await lockableBoot({ home, actor: 'tester', gpu })
    expect(await backend.dispatch('workspace/status', {})).toEqual({
      ok: true,
      value: { encrypted: true, locked: true },
    })
    expect(await backend.dispatch('gpu/status', { probe: true })).toEqual({
      ok: true,
      value: STATUS,
    })
    // The CUDA check runs in a job process of the composition (the app cannot fork Node).
    expect(asked).toEqual([{ probe: true, deep: undefined, jobHost: expect.any(ForkHost) }])
    expect(await backend.dispatch('gpu/remove', {})).toEqual({
      ok: true,
      value: { removed: false },
    })
    expect(await backend.dispatch('projects/list', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
  })

  it('push install progress as gpu/progress, refuse a second install, need a folder', async () => {
    const events: GpuProgressDto[] = []
    let finish: () => void = () => {}
    const handlers = gpuHandlers(
      (event, payload) => {
        if (event === 'gpu/progress') events.push(payload as GpuProgressDto)
      },
      {
        install: async (opts) => {
          expect(opts.source).toEqual({ kind: 'folder', dir: '/wheels' })
          opts.onProgress?.({ phase: 'verify', file: 'a.whl', bytes: 0, totalBytes: 10 })
          // Same phase and file within 200 ms: dropped; the last byte of it: kept.
          opts.onProgress?.({ phase: 'verify', file: 'a.whl', bytes: 5, totalBytes: 10 })
          opts.onProgress?.({ phase: 'verify', file: 'a.whl', bytes: 10, totalBytes: 10 })
          opts.onProgress?.({ phase: 'done', bytes: 10, totalBytes: 10 })
          await new Promise<void>((r) => (finish = r))
          return {
            dir: '/p/x',
            alreadyInstalled: false,
            files: ['a', 'pack.json'],
            bytesDownloaded: 0,
          }
        },
      },
    )
    const first = handlers['gpu/install']({ source: 'folder', folder: '/wheels' })
    await expect(handlers['gpu/install']({ source: 'index' })).rejects.toMatchObject({
      code: 'conflict',
      message: 'The GPU pack is being installed already: wait for it to finish.',
    })
    await expect(handlers['gpu/remove']({})).rejects.toMatchObject({ code: 'conflict' })
    finish()
    expect(await first).toEqual({
      dir: '/p/x',
      alreadyInstalled: false,
      files: ['a', 'pack.json'],
      bytesDownloaded: 0,
    })
    expect(events).toEqual([
      { phase: 'verify', file: 'a.whl', bytes: 0, totalBytes: 10 },
      { phase: 'verify', file: 'a.whl', bytes: 10, totalBytes: 10 },
      { phase: 'done', bytes: 10, totalBytes: 10 },
    ])
    await expect(handlers['gpu/install']({ source: 'folder' })).rejects.toMatchObject({
      code: 'bad-input',
      message: 'Choose the folder that holds the GPU pack wheels.',
    })
  })

  it('the contract refuses a folder install without its folder and a non-http index', async () => {
    encryptWorkspaceAt(home, 'open sesame 芝麻开门', 'tester', { cost: { N: 2 ** 12, r: 8, p: 1 } })
    backend = await lockableBoot({ home, actor: 'tester', gpu: {} })
    expect(await backend.dispatch('gpu/install', { source: 'folder' })).toMatchObject({
      ok: false,
      error: {
        code: 'bad-input',
        message:
          "Invalid arguments for gpu/install: folder: source 'folder' needs the folder that holds the wheels",
      },
    })
    expect(
      await backend.dispatch('gpu/install', { source: 'index', indexUrl: 'ftp://mirror/simple' }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'bad-input',
        message:
          'Invalid arguments for gpu/install: indexUrl: must be an http(s) address of a package index',
      },
    })
  })

  it('keeps every change of phase and the end of each, drops the rest within 200 ms', () => {
    const sent: GpuProgressDto[] = []
    const publish = progressPublisher((p) => sent.push(p))
    for (let b = 0; b <= 100; b++)
      publish({ phase: 'download', file: 'w.whl', bytes: b, totalBytes: 100 })
    publish({ phase: 'extract', file: 'w.whl', bytes: 0, totalBytes: 100 })
    expect(sent.map((p) => `${p.phase}:${p.bytes}`)).toEqual([
      'download:0',
      'download:100',
      'extract:0',
    ])
  })
})
