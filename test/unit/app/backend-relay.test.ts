// What main does on the backend's request, over a fake backend process: job processes run where
// main spawns them (the relay JobHost drives them as if local), and PDFs are rendered in main;
// and the backend's side of the channel under utilityProcess and under fork.
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { BackendClient, type BackendProcessLike } from '../../../main/backend/backend-client'
import type { BackendToMain, MainToBackend } from '../../../main/backend/backend-protocol'
import { mainPort } from '../../../main/backend/main-port'
import { RelayJobHost } from '../../../main/backend/relay-job-host'
import type { ChildToHost, HostToChild, JobHost } from '../../../main/jobs/job-protocol'
import { JobService } from '../../../main/jobs/job-service'

/** A backend process that is ready at once and hands main's messages to `onPost`. */
function fakeBackend(onPost: (message: MainToBackend) => void) {
  const events = new EventEmitter()
  const proc: BackendProcessLike = {
    postMessage: (message) => {
      const m = message as MainToBackend
      if (m.type === 'start') setImmediate(() => events.emit('message', { type: 'ready' }))
      else if (m.type === 'shutdown') setImmediate(() => events.emit('exit', 0))
      else onPost(m)
    },
    on: (event, listener) => events.on(event, listener),
    once: (event, listener) => events.once(event, listener),
    kill: () => (setImmediate(() => events.emit('exit', null)), true),
  }
  const fromBackend = (message: BackendToMain) => events.emit('message', message)
  return { proc, fromBackend }
}

/** A job host in main whose processes double `input.n` and report one progress step. */
function doublingHost(spawned: string[]): JobHost {
  return {
    spawn: () => {
      const events = new EventEmitter()
      spawned.push('job')
      return {
        send: (message: HostToChild) => {
          if (message.type !== 'start') return
          const n = (message.input as { n: number }).n
          setImmediate(() => {
            events.emit('message', { type: 'progress', progress: { phase: 'counting', step: 1 } })
            events.emit('message', { type: 'result', result: { doubled: n * 2 } })
            events.emit('exit', 0, null)
          })
        },
        onMessage: (listener: (m: ChildToHost) => void) => void events.on('message', listener),
        onExit: (listener) => void events.once('exit', listener),
        kill: () => void events.emit('exit', null, 'SIGKILL'),
      }
    },
  }
}

describe('backend relay', () => {
  it("runs the backend's jobs in processes main spawns, through the job service", async () => {
    const spawned: string[] = []
    const toMain: { send?: (message: BackendToMain) => void } = {}
    const relay = new RelayJobHost((message) => toMain.send!(message))
    const { proc, fromBackend } = fakeBackend((m) => {
      if (m.type === 'job-message') relay.message(m.jobId, m.message)
      if (m.type === 'job-exit') relay.exit(m.jobId, m.code, m.signal)
    })
    toMain.send = fromBackend
    const client = await BackendClient.start({
      launch: () => proc,
      home: '/unused',
      jobHost: doublingHost(spawned),
      log: () => {},
    })
    const published: string[] = []
    const jobs = new JobService({
      host: relay,
      publish: (_e, p) => published.push(`${p.status}:${p.phase}`),
      debounceMs: 0,
    })
    const final = await jobs.start('train', { n: 21 }).done
    expect(spawned).toEqual(['job'])
    expect(final).toMatchObject({ status: 'success', result: { doubled: 42 } })
    expect(published.at(-1)).toBe('success:done')
    await client.shutdown()
  })

  it('renders PDFs in main and answers the backend with the bytes, or with a readable error', async () => {
    const replies: MainToBackend[] = []
    const { proc, fromBackend } = fakeBackend((m) => replies.push(m))
    const rendered: string[] = []
    const client = await BackendClient.start({
      launch: () => proc,
      home: '/unused',
      renderPdf: async (html) => {
        rendered.push(html)
        if (html.includes('broken')) throw new Error('printToPDF failed for 患者 text')
        return new Uint8Array([37, 80, 68, 70])
      },
      log: () => {},
    })
    fromBackend({ type: 'request', id: 1, name: 'print-pdf', html: '<h1>Report</h1>' })
    fromBackend({ type: 'request', id: 2, name: 'print-pdf', html: 'broken' })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(rendered).toEqual(['<h1>Report</h1>', 'broken'])
    expect(replies).toEqual([
      { type: 'reply', id: 1, ok: true, value: new Uint8Array([37, 80, 68, 70]) },
      {
        type: 'reply',
        id: 2,
        ok: false,
        error: {
          code: 'internal',
          message: 'Something went wrong inside the app. Your data was not changed by this step.',
        },
      },
    ])
    await client.shutdown()
  })

  it('stops the jobs of a backend that died', async () => {
    const killed: string[] = []
    const { proc, fromBackend } = fakeBackend(() => {})
    const host: JobHost = {
      spawn: () => ({
        send: () => {},
        onMessage: () => {},
        onExit: () => {},
        kill: () => void killed.push('job'),
      }),
    }
    await BackendClient.start({
      launch: () => proc,
      home: '/unused',
      jobHost: host,
      maxRestarts: 0,
      log: () => {},
    })
    fromBackend({ type: 'job-spawn', jobId: 1 })
    proc.kill()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(killed).toEqual(['job'])
  })
})

describe('mainPort', () => {
  it('talks through process.parentPort in a utilityProcess', () => {
    const posted: unknown[] = []
    const parentPort = Object.assign(new EventEmitter(), {
      postMessage: (m: unknown) => posted.push(m),
    })
    const proc = Object.assign(new EventEmitter(), { parentPort }) as unknown as NodeJS.Process
    const port = mainPort(proc)
    const received: unknown[] = []
    port.onMessage((m) => received.push(m))
    parentPort.emit('message', { data: { type: 'shutdown' } })
    port.send({ type: 'ready' })
    expect(received).toEqual([{ type: 'shutdown' }])
    expect(posted).toEqual([{ type: 'ready' }])
  })

  it('talks through process.send under child_process.fork, and not after main has gone', () => {
    const sent: unknown[] = []
    const proc = Object.assign(new EventEmitter(), {
      send: (m: unknown) => sent.push(m) > 0,
      connected: true,
    }) as unknown as NodeJS.Process & { connected: boolean }
    const port = mainPort(proc)
    let disconnected = false
    port.onDisconnect(() => (disconnected = true))
    port.send({ type: 'ready' })
    proc.connected = false
    proc.emit('disconnect')
    port.send({ type: 'ready' })
    expect(sent).toEqual([{ type: 'ready' }])
    expect(disconnected).toBe(true)
  })
})
