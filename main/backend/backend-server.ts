// The backend process's loop: opens the workspace on 'start', answers 'call' messages through the
// one dispatch path, forwards pushed events, and asks main for what only main can do (job
// processes, printToPDF). Transport-free (a BackendPort), so tests can drive it either way.
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { CallEnvelope } from '../../preload/contract'
import { CtsError } from '../shared'
import { type BootOptions, type PdfPrinter } from '../root/boot'
import { lockableBoot } from '../root/lockable-boot'
import { toErrorDto } from '../root/dispatch'
import type { BackendRequest, BackendToMain, MainToBackend } from './backend-protocol'
import { RelayJobHost } from './relay-job-host'
import type { SecretStore } from '../shared/secret-store'

/** The backend's side of the channel to main. */
export interface BackendPort {
  /** `sent` runs once the message has left the process (or could not be sent at all). */
  send(message: BackendToMain, sent?: () => void): void
  onMessage(listener: (message: MainToBackend) => void): void
  /** Main has gone away (child_process.fork only: a utilityProcess dies with main). */
  onDisconnect(listener: () => void): void
  exit(code: number): void
}

/** The part of the composition root's Backend this process uses. */
interface OpenedBackend {
  dispatch(name: string, args: unknown): Promise<CallEnvelope>
  shutdown(): Promise<void>
}

type Open = (options: BootOptions) => Promise<OpenedBackend>

const NOT_OPEN: CallEnvelope = {
  ok: false,
  error: {
    code: 'backend-stopped',
    message: 'The workspace is not open, so this step did not run.',
  },
}

// lockableBoot: an encrypted workspace starts locked and is unlocked by 'workspace/unlock'.
export function serveBackend(port: BackendPort, open: Open = lockableBoot): void {
  let opened: Promise<OpenedBackend | undefined> | undefined
  let stopping = false
  const jobs = new RelayJobHost((message) => port.send(message))
  const requests = new Map<number, { resolve(value: unknown): void; reject(e: Error): void }>()
  let nextRequest = 1

  const request = (req: BackendRequest): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextRequest++
      requests.set(id, { resolve, reject })
      port.send({ type: 'request', id, ...req })
    })

  // Main renders the PDF (printToPDF); the backend writes it, whole or not at all.
  const printPdf: PdfPrinter = async (html, outPath) => {
    const bytes = (await request({ name: 'print-pdf', html })) as Uint8Array
    await writeWhole(outPath, bytes)
    return outPath
  }

  // Team server passwords (issue #17): main keeps them in the OS keychain; the backend asks.
  const secrets: SecretStore = {
    where: 'the system keychain',
    get: async (key) => (await request({ name: 'secret', op: 'get', key })) as string | undefined,
    set: async (key, secret) => void (await request({ name: 'secret', op: 'set', key, secret })),
    delete: async (key) => (await request({ name: 'secret', op: 'delete', key })) as boolean,
  }

  const stop = async (code: number): Promise<void> => {
    if (stopping) return
    stopping = true
    try {
      const backend = await opened?.catch(() => undefined)
      await backend?.shutdown()
    } finally {
      port.exit(code)
    }
  }

  port.onMessage((message) => {
    switch (message.type) {
      case 'start':
        if (opened) return
        opened = open({
          home: message.home,
          publish: (name, payload) => port.send({ type: 'event', name, payload }),
          jobHost: message.relayJobs ? jobs : undefined,
          printPdf: message.relayPdf ? printPdf : undefined,
          ...(message.relaySecrets ? { secrets } : {}),
        }).then(
          (backend) => {
            port.send({ type: 'ready' })
            return backend
          },
          (error: unknown) => {
            // Exit only once main has the reason (a failed migration's message is for the user).
            port.send({ type: 'start-failed', error: toErrorDto(error, logLine) }, () => {
              void stop(1)
            })
            return undefined
          },
        )
        return
      case 'call':
        void answer(message.id, message.name, message.args)
        return
      case 'reply': {
        const pending = requests.get(message.id)
        requests.delete(message.id)
        if (message.ok) pending?.resolve(message.value)
        else pending?.reject(new CtsError(message.error.code, message.error.message))
        return
      }
      case 'job-message':
        jobs.message(message.jobId, message.message)
        return
      case 'job-exit':
        jobs.exit(message.jobId, message.code, message.signal)
        return
      case 'shutdown':
        void stop(0)
        return
    }
  })
  port.onDisconnect(() => void stop(0))

  async function answer(id: number, name: string, args: unknown): Promise<void> {
    const backend = await opened?.catch(() => undefined)
    const envelope = backend && !stopping ? await backend.dispatch(name, args) : NOT_OPEN
    port.send({ type: 'result', id, envelope })
  }
}

/** Writes through a temp file and a rename, so a reader never sees half a PDF. */
async function writeWhole(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  try {
    await writeFile(tmp, bytes)
    await rename(tmp, path)
  } catch (error) {
    await rm(tmp, { force: true })
    throw error
  }
}

/** Internal failures: class and frames only (toErrorDto never logs a message). */
function logLine(line: string): void {
  console.error(line)
}
