// window.cts is generated from the contract: every call present, errors rebuilt as CtsError,
// events delivered, and the whole loop through the IPC adapter works.
import { describe, expect, it } from 'vitest'
import { buildApi, type Invoke, type Subscribe } from '../../../preload/build-api'
import {
  callNames,
  CtsError,
  type CallEnvelope,
  type JobProgressDto,
} from '../../../preload/contract'
import { dispatchCall, type Handlers } from '../../../main/root/dispatch'
import {
  registerContract,
  type IpcInvokeEventLike,
  type IpcLike,
} from '../../../main/app/ipc-adapter'

const noEvents: Subscribe = () => () => {}

describe('buildApi', () => {
  it('has one function per call, grouped by domain, and nothing else but on()', () => {
    const api = buildApi(async () => ({ ok: true, value: null }), noEvents) as unknown as Record<
      string,
      Record<string, unknown>
    >
    const generated = Object.entries(api)
      .filter(([key]) => key !== 'on')
      .flatMap(([domain, group]) => Object.keys(group).map((verb) => `${domain}/${verb}`))
    expect(generated.sort()).toEqual([...callNames].sort())
    expect(typeof api.on).toBe('function')
    expect(Object.isFrozen(api) && Object.isFrozen(api.projects)).toBe(true)
  })

  it('sends the channel and arguments and resolves with the value', async () => {
    const sent: [string, unknown][] = []
    const invoke: Invoke = async (channel, args) => (
      sent.push([channel, args]),
      { ok: true, value: 42 }
    )
    const api = buildApi(invoke, noEvents)
    await expect(api.labels.stats({ projectId: 3 })).resolves.toBe(42)
    await api.projects.list({})
    expect(sent).toEqual([
      ['labels/stats', { projectId: 3 }],
      ['projects/list', {}],
    ])
  })

  it('rebuilds an error envelope as a CtsError with code, message and details', async () => {
    const api = buildApi(
      async () => ({
        ok: false,
        error: { code: 'conflict', message: 'A project named "A" exists.', details: 1 },
      }),
      noEvents,
    )
    const error = await api.projects.create({ name: 'A', kind: 'binary' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CtsError)
    expect(error).toMatchObject({
      code: 'conflict',
      message: 'A project named "A" exists.',
      details: 1,
    })
  })

  it('treats an unreadable reply as an internal error', async () => {
    const api = buildApi(async () => 'garbage' as unknown as CallEnvelope, noEvents)
    await expect(api.projects.list({})).rejects.toMatchObject({ code: 'internal' })
  })

  it('subscribes to known events and refuses unknown ones', () => {
    const subscribed: string[] = []
    let deliver: (payload: unknown) => void = () => {}
    const subscribe: Subscribe = (event, listener) => {
      subscribed.push(event)
      deliver = listener
      return () => subscribed.push(`off:${event}`)
    }
    const api = buildApi(async () => ({ ok: true, value: null }), subscribe)
    const got: JobProgressDto[] = []
    const off = api.on('jobs/progress', (p) => got.push(p))
    deliver({ jobId: 'j', kind: 'import', status: 'success', phase: 'done' })
    off()
    expect(got).toEqual([{ jobId: 'j', kind: 'import', status: 'success', phase: 'done' }])
    expect(subscribed).toEqual(['jobs/progress', 'off:jobs/progress'])
    expect(() => api.on('nope' as 'jobs/progress', () => {})).toThrow(CtsError)
  })

  it('round-trips through the IPC adapter: validation errors surface as CtsError bad-input', async () => {
    const listeners = new Map<string, (e: IpcInvokeEventLike, ...a: unknown[]) => unknown>()
    const ipc: IpcLike = { handle: (c, l) => void listeners.set(c, l) }
    const handlers: Handlers = {
      'projects/rename': async ({ projectId, name }) => ({ id: projectId, name }) as never,
    }
    registerContract(ipc, (channel, args) => dispatchCall(handlers, channel, args), {
      isTrustedSender: () => true,
    })
    const api = buildApi(
      async (channel, args) =>
        (await listeners.get(channel)!(
          { senderFrame: { url: 'file:///x' } },
          args,
        )) as CallEnvelope,
      noEvents,
    )
    await expect(api.projects.rename({ projectId: 2, name: '心内科' })).resolves.toEqual({
      id: 2,
      name: '心内科',
    })
    const error = await api.projects.rename({ projectId: -1, name: 'x' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CtsError)
    expect(error).toMatchObject({ code: 'bad-input' })
    expect((error as Error).message).toContain('projectId')
  })
})
