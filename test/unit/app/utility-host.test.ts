// The Electron job host over a fake utilityProcess, driven by the real JobService, and the child
// side's mapping of process.parentPort onto process.send / 'message'.
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { JobService } from '../../../main/jobs/job-service'
import { adaptParentPort } from '../../../main/jobs/parent-port'
import {
  UtilityHost,
  type UtilityFork,
  type UtilityProcessLike,
} from '../../../main/app/utility-host'

/** A utilityProcess whose "child" answers start with one progress update and a result. */
function fakeFork(forked: string[]): UtilityFork {
  return (modulePath) => {
    forked.push(modulePath)
    const events = new EventEmitter()
    const child: UtilityProcessLike = {
      postMessage: (message) => {
        const m = message as { type: string; input?: { n: number } }
        setImmediate(() => {
          if (m.type === 'start') {
            events.emit('message', {
              type: 'progress',
              progress: { phase: 'counting', step: 1, total: 2 },
            })
            events.emit('message', { type: 'result', result: { doubled: m.input!.n * 2 } })
            events.emit('exit', 0)
          }
        })
      },
      on: (event, listener) => events.on(event, listener),
      once: (event, listener) => events.once(event, listener),
      kill: () => (setImmediate(() => events.emit('exit', 9)), true),
    }
    return child
  }
}

describe('UtilityHost', () => {
  it('runs a job to success through the job service', async () => {
    const forked: string[] = []
    const published: string[] = []
    const jobs = new JobService({
      host: new UtilityHost(fakeFork(forked), '/app/out/main/jobs/job-entry.js'),
      publish: (_event, p) => published.push(`${p.status}:${p.phase}`),
      debounceMs: 0,
    })
    const final = await jobs.start('train', { n: 21 }).done
    expect(forked).toEqual(['/app/out/main/jobs/job-entry.js'])
    expect(final).toMatchObject({ status: 'success', phase: 'done', result: { doubled: 42 } })
    expect(published[0]).toBe('running:starting')
    expect(published.at(-1)).toBe('success:done')
  })

  it('reports a process that exits without an answer as a crashed job', async () => {
    const events = new EventEmitter()
    const silent: UtilityFork = () => ({
      postMessage: () => setImmediate(() => events.emit('exit', 134)),
      on: (e, l) => events.on(e, l),
      once: (e, l) => events.once(e, l),
      kill: () => true,
    })
    const jobs = new JobService({ host: new UtilityHost(silent, 'entry.js'), publish: () => {} })
    const final = await jobs.start('predict-file', {}).done
    expect(final.status).toBe('error')
    expect(final.error?.code).toBe('job-crashed')
  })
})

describe('adaptParentPort', () => {
  it('maps parentPort onto process.send and process "message" in a utilityProcess child', async () => {
    const posted: unknown[] = []
    const port = new EventEmitter() as EventEmitter & { postMessage(m: unknown): void }
    port.postMessage = (m) => posted.push(m)
    const proc = Object.assign(new EventEmitter(), {
      parentPort: port,
      send: undefined,
    }) as unknown as NodeJS.Process
    const received: unknown[] = []
    proc.on('message', (m) => received.push(m))
    expect(adaptParentPort(proc)).toBe(true)
    port.emit('message', { data: { type: 'cancel' } })
    expect(received).toEqual([{ type: 'cancel' }])
    // job-worker sends its reply as send(reply, undefined, undefined, exit) and exits in the callback.
    const flushed = await new Promise<unknown[]>((resolve) =>
      proc.send!({ type: 'result', result: 1 }, undefined, undefined, () => resolve([...posted])),
    )
    expect(flushed).toEqual([{ type: 'result', result: 1 }])
  })

  it('leaves a forked child (which has process.send) alone', () => {
    const send = () => true
    const proc = Object.assign(new EventEmitter(), { send }) as unknown as NodeJS.Process
    expect(adaptParentPort(proc)).toBe(false)
    expect(proc.send).toBe(send)
  })
})
