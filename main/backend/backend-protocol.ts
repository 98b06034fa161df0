// Messages between the Electron main process (BackendClient) and the backend process
// (backend-entry). Structured-clone values, so the same protocol runs over Electron's
// utilityProcess and over child_process.fork with 'advanced' serialization (tests, CLI).
import type { CallEnvelope, CtsErrorDto } from '../../preload/contract'
import type { ChildToHost, HostToChild } from '../jobs/job-protocol'

/** What main asks of the backend, and its answers to the backend's own requests. */
export type MainToBackend =
  /** First message: which workspace to open, and which services main provides. */
  | {
      type: 'start'
      home: string
      /** Job processes are spawned by main (utilityProcess is a main-process-only API). */
      relayJobs: boolean
      /** PDFs are rendered by main (printToPDF needs a BrowserWindow). */
      relayPdf: boolean
      /** Team server passwords are kept by main (safeStorage is a main-process-only API). */
      relaySecrets?: boolean
    }
  | { type: 'call'; id: number; name: string; args: unknown }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: CtsErrorDto }
  | { type: 'job-message'; jobId: number; message: ChildToHost }
  | { type: 'job-exit'; jobId: number; code: number | null; signal: string | null }
  | { type: 'shutdown' }

/** Requests the backend makes of main (answered by a 'reply' with the same id). */
export type BackendRequest =
  | { name: 'print-pdf'; html: string }
  | { name: 'secret'; op: 'get' | 'set' | 'delete'; key: string; secret?: string }

/** What the backend tells main. */
export type BackendToMain =
  | { type: 'ready' }
  /** The workspace could not be opened (e.g. a failed migration); the process exits next. */
  | { type: 'start-failed'; error: CtsErrorDto }
  | { type: 'result'; id: number; envelope: CallEnvelope }
  | { type: 'event'; name: string; payload: unknown }
  | ({ type: 'request'; id: number } & BackendRequest)
  | { type: 'job-spawn'; jobId: number }
  | { type: 'job-send'; jobId: number; message: HostToChild }
  | { type: 'job-kill'; jobId: number }
