// The model in the loop's test rig: a job host that runs 'loop-train' in this process (the real
// job code, no fork), records every job input, and can hold jobs at a gate; a small project.
import type { ChildToHost, HostToChild, JobHost, JobProcess } from '../../../main/jobs/job-protocol'
import { runLoopTrainJob, type LoopTrainJobInput } from '../../../main/jobs/loop-train-job'
import { JobCancelledError } from '../../../main/jobs/job-worker'
import type { SourceRecord } from '../../../main/data/types'
import type { LoopOptions } from '../../../main/services/loop-service'
import { tempServices, type TempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

export class InProcessLoopHost implements JobHost {
  readonly inputs: LoopTrainJobInput[] = []
  running = 0
  maxRunning = 0
  /** While set, a started job waits for `release()` before it works. */
  private gate: Promise<void> | null = null
  private open: (() => void) | null = null

  hold(): void {
    this.gate = new Promise((r) => (this.open = r))
  }

  release(): void {
    this.open?.()
    this.gate = null
  }

  spawn(): JobProcess {
    let listener: (m: ChildToHost) => void = () => {}
    let exit: (code: number | null, signal: string | null) => void = () => {}
    const controller = new AbortController()
    const run = async (input: LoopTrainJobInput) => {
      this.inputs.push(input)
      this.running++
      this.maxRunning = Math.max(this.maxRunning, this.running)
      let reply: ChildToHost
      try {
        if (this.gate) await Promise.race([this.gate, aborted(controller.signal)])
        if (controller.signal.aborted) throw new JobCancelledError()
        const result = await runLoopTrainJob(input, {
          report: (progress) => listener({ type: 'progress', progress }),
          signal: controller.signal,
        })
        reply = { type: 'result', result }
      } catch (e) {
        reply =
          controller.signal.aborted || e instanceof JobCancelledError
            ? { type: 'cancelled' }
            : { type: 'error', error: { code: 'internal', message: String(e) } }
      }
      this.running--
      listener(reply)
      exit(0, null)
    }
    return {
      send: (m: HostToChild) => {
        if (m.type === 'cancel') controller.abort()
        else void run(m.input as LoopTrainJobInput)
      },
      onMessage: (l) => (listener = l),
      onExit: (l) => (exit = l),
      kill: () => controller.abort(),
    }
  }
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))

/** 40 notes: even rows about the chest (label A), odd rows about bones (label B). */
export function loopNotes(n = 40): SourceRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    row: i + 2,
    text:
      i % 2 === 0
        ? `patient ${i} has fever cough and chest pain with wheeze`
        : `patient ${i} has a fractured femur after a fall bone injury`,
  }))
}

/** Which label a note "really" has: A (id 1) for even rows, B (id 2) for odd. */
export const obviousLabel = (textId: number): number => ((textId - 1) % 2 === 0 ? 1 : 2)

export interface LoopRig {
  app: TempServices
  host: InProcessLoopHost
  projectId: number
  auditIds: number[]
}

/** A binary-style project of loopNotes() with labels A (id 1) and B (id 2), audit sample drawn. */
export async function loopProject(
  threshold: number,
  n = 40,
  loop: LoopOptions = { debounceMs: 0, maxWaitMs: 0 },
): Promise<LoopRig> {
  const host = new InProcessLoopHost()
  const app = tempServices({
    jobHost: host,
    sourceReader: new ArrayReader(() => loopNotes(n)),
    loop: { maxFeatures: 256, ...loop },
  })
  const h = app.handlers
  const p = await h['projects/create']({ name: 'loop', kind: 'multiclass', labels: ['A', 'B'] })
  await h['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping })
  await h['loop/settings']({ projectId: p.id, threshold })
  const auditIds = app.workspace.db
    .prepare('SELECT text_id FROM loop_audit_texts WHERE project_id = ? ORDER BY text_id')
    .pluck()
    .all(p.id) as number[]
  return { app, host, projectId: p.id, auditIds }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Waits until the debounced check ran and no retrain is running or storing its suggestions. */
export async function settle(rig: LoopRig, debounceMs = 0): Promise<void> {
  await sleep(30 + debounceMs)
  for (let i = 0; i < 1000; i++) {
    const s = await rig.app.handlers['loop/status']({ projectId: rig.projectId })
    if (!s.training && rig.host.running === 0) {
      await sleep(20)
      const again = await rig.app.handlers['loop/status']({ projectId: rig.projectId })
      if (!again.training) return
    }
    await sleep(20)
  }
  throw new Error('the in-loop retrain did not settle')
}
