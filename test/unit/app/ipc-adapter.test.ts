// The IPC adapter: sender check, then the call forwarded to where it is validated (the backend;
// here the same dispatch path in-process): envelopes and error hygiene, with a fake ipcMain.
import { describe, expect, it } from 'vitest'
import { callNames, CtsError, type ProjectDto } from '../../../preload/contract'
import {
  createBroadcast,
  registerContract,
  type IpcInvokeEventLike,
  type IpcLike,
} from '../../../main/app/ipc-adapter'
import { dispatchCall, type Handlers } from '../../../main/root/dispatch'

type Listener = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown

function fakeIpc() {
  const listeners = new Map<string, Listener>()
  const ipc: IpcLike = {
    handle: (channel, listener) => {
      if (listeners.has(channel)) throw new Error(`second handler for ${channel}`)
      listeners.set(channel, listener)
    },
    removeHandler: (channel) => listeners.delete(channel),
  }
  const invoke = (channel: string, args: unknown, url = 'file:///app/out/renderer/index.html') =>
    listeners.get(channel)!({ senderFrame: { url } }, args)
  return { ipc, listeners, invoke }
}

const APP_URL = 'file:///app/out/renderer/index.html'

/** What the backend does with a forwarded call: the one dispatch path. */
const via =
  (handlers: Handlers, log?: (line: string) => void) => (channel: string, args: unknown) =>
    dispatchCall(handlers, channel, args, { log })
const trusted = { isTrustedSender: (frame: { url: string }) => frame.url.startsWith(APP_URL) }

function project(name: string): ProjectDto {
  return {
    id: 7,
    name,
    kind: 'binary',
    createdAt: '2026-01-01',
    textCount: 0,
    labelledCount: 0,
    labels: [],
  }
}

describe('registerContract', () => {
  it('registers exactly one handler per call in the contract', () => {
    const { ipc, listeners } = fakeIpc()
    registerContract(ipc, via({}), trusted)
    expect([...listeners.keys()].sort()).toEqual([...callNames].sort())
  })

  it('rejects a call from a frame that is not the app page, without running the handler', async () => {
    const { ipc, invoke, listeners } = fakeIpc()
    let calls = 0
    registerContract(ipc, via({ 'projects/list': async () => (calls++, []) }), trusted)
    const reply = await invoke('projects/list', {}, 'https://evil.example/index.html')
    expect(reply).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'This request did not come from the app window.' },
    })
    expect(await listeners.get('projects/list')!({ senderFrame: null }, {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(calls).toBe(0)
  })

  it('answers a malformed payload with bad-input naming the wrong field', async () => {
    const { ipc, invoke } = fakeIpc()
    registerContract(ipc, via({ 'projects/create': async (a) => project(a.name) }), trusted)
    const reply = (await invoke('projects/create', { name: '  ', kind: 'ternary' })) as {
      ok: false
      error: { code: string; message: string }
    }
    expect(reply.ok).toBe(false)
    expect(reply.error.code).toBe('bad-input')
    expect(reply.error.message).toMatch(/^Invalid arguments for projects\/create: name: .*; kind: /)
    const extra = (await invoke('projects/list', { evil: true })) as { error: { message: string } }
    expect(extra.error.message).toContain('"evil"')
  })

  it('passes the parsed (trimmed) arguments to the handler and returns its value', async () => {
    const { ipc, invoke } = fakeIpc()
    const seen: unknown[] = []
    registerContract(
      ipc,
      via({ 'projects/create': async (args) => (seen.push(args), project(args.name)) }),
      trusted,
    )
    const reply = await invoke('projects/create', { name: '  Notes 病历 ', kind: 'binary' })
    expect(seen).toEqual([{ name: 'Notes 病历', kind: 'binary' }])
    expect(reply).toEqual({ ok: true, value: project('Notes 病历') })
  })

  it('keeps the code and message of a CtsError, with its details', async () => {
    const { ipc, invoke } = fakeIpc()
    registerContract(
      ipc,
      via({
        'projects/get': async () => {
          throw new CtsError('not-found', 'Project 3 does not exist.', { projectId: 3 })
        },
      }),
      trusted,
    )
    expect(await invoke('projects/get', { projectId: 3 })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'Project 3 does not exist.', details: { projectId: 3 } },
    })
  })

  it('turns any other error into internal with a generic message and logs no text from it', async () => {
    const { ipc, invoke } = fakeIpc()
    const logged: string[] = []
    const log = (line: string) => logged.push(line)
    registerContract(
      ipc,
      via(
        {
          'texts/get': async () => {
            throw new TypeError('UNIQUE constraint failed: texts.text = "患者胸痛三天 chest pain"')
          },
        },
        log,
      ),
      { ...trusted, log },
    )
    const reply = (await invoke('texts/get', { textId: 1 })) as {
      ok: false
      error: { code: string; message: string }
    }
    expect(reply.error.code).toBe('internal')
    expect(reply.error.message).not.toMatch(/chest|患者|UNIQUE|at /)
    expect(Object.keys(reply.error)).toEqual(['code', 'message'])
    expect(logged).toHaveLength(1)
    expect(logged[0]).toContain('texts/get: TypeError')
    expect(logged[0]).not.toMatch(/chest|患者|UNIQUE/)
  })

  it('answers unsupported for a call no service implements', async () => {
    const { ipc, invoke } = fakeIpc()
    registerContract(ipc, via({} as Handlers), trusted)
    expect(await invoke('labels/stats', { projectId: 1 })).toEqual({
      ok: false,
      error: {
        code: 'unsupported',
        message: '"labels/stats" is not available in this version of the app.',
      },
    })
  })

  it('forwards a trusted call as it came, and answers internal if forwarding throws', async () => {
    const { ipc, invoke } = fakeIpc()
    const forwarded: [string, unknown][] = []
    const logged: string[] = []
    registerContract(
      ipc,
      async (channel, args) => {
        forwarded.push([channel, args])
        if (channel === 'texts/get') throw new Error('患者 chest pain')
        return { ok: true, value: 'from the backend' }
      },
      { ...trusted, log: (line) => logged.push(line) },
    )
    expect(await invoke('projects/list', { any: 1 })).toEqual({
      ok: true,
      value: 'from the backend',
    })
    expect(await invoke('texts/get', { textId: 1 })).toEqual({
      ok: false,
      error: {
        code: 'internal',
        message: 'Something went wrong inside the app. Your data was not changed by this step.',
      },
    })
    expect(forwarded).toEqual([
      ['projects/list', { any: 1 }],
      ['texts/get', { textId: 1 }],
    ])
    expect(logged).toEqual(['[cts] internal error forwarding texts/get: Error'])
  })

  it('removes every handler when unregistered', () => {
    const { ipc, listeners } = fakeIpc()
    const unregister = registerContract(ipc, via({}), trusted)
    unregister()
    expect(listeners.size).toBe(0)
  })
})

describe('createBroadcast', () => {
  it('sends an event to every live window and skips destroyed ones', () => {
    const sent: string[] = []
    const sink = (name: string, destroyed = false) => ({
      send: (channel: string, payload: unknown) =>
        sent.push(`${name}:${channel}:${JSON.stringify(payload)}`),
      isDestroyed: () => destroyed,
    })
    const broadcast = createBroadcast(() => [sink('a'), sink('b', true), sink('c')])
    broadcast('jobs/progress', { jobId: 'j1', kind: 'train', status: 'running', phase: 'training' })
    const payload = '{"jobId":"j1","kind":"train","status":"running","phase":"training"}'
    expect(sent).toEqual([`a:jobs/progress:${payload}`, `c:jobs/progress:${payload}`])
  })
})
