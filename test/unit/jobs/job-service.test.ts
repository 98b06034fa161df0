import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import type { SourceReader, SourceRecord } from '../../../main/data/types'
import type { JobProgressUpdate } from '../../../main/jobs/job-protocol'
import type {
  CvJobResult,
  JobProgressDto,
  JobProgressOf,
  PredictFileResultDto,
  TrainJobResult,
} from '../../../preload/contract'
import { CtsError } from '../../../preload/contract/common'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { ProgressThrottle } from '../../../main/jobs/progress-throttle'
import { DatasetsService } from '../../../main/services/datasets-service'
import { ProjectsService } from '../../../main/services/projects-service'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'

const entry = fileURLToPath(new URL('../../fixtures/jobs/test-job-entry.ts', import.meta.url))

function service(): { jobs: JobService; events: JobProgressDto[] } {
  const events: JobProgressDto[] = []
  const jobs = new JobService({
    host: new ForkHost({ entry }),
    publish: (_e, p) => events.push(p),
    cancelGraceMs: 3000,
  })
  return { jobs, events }
}

describe('JobService', () => {
  it('ends a successful job with its result and debounces progress', async () => {
    const { jobs, events } = service()
    const { jobId, done } = jobs.start('predict-file', { steps: 60 })
    const final = await done
    expect(final).toMatchObject({
      jobId,
      kind: 'predict-file',
      status: 'success',
      result: { rows: 60 },
    })
    expect(final.step).toBe(60)
    // 60 updates ~5 ms apart (~300 ms+) collapse to a handful of publishes.
    const progress = events.filter((e) => e.status === 'running' && e.phase === 'predicting')
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.length).toBeLessThan(20)
    expect(events.at(-1)).toEqual(final)
    expect(jobs.list()).toEqual([final])
  })

  it("carries the caller's runId on every progress event, and none when not given", async () => {
    const { jobs, events } = service()
    const withRun = await jobs.start('predict-file', { steps: 3 }, { runId: 9 }).done
    const plain = await jobs.start('predict-file', { steps: 1 }).done
    const ofRun = events.filter((e) => e.jobId === withRun.jobId)
    expect(ofRun.map((e) => e.status)).toContain('running')
    expect(ofRun.every((e) => e.runId === 9)).toBe(true)
    expect(jobs.list().find((j) => j.jobId === withRun.jobId)?.runId).toBe(9)
    expect(events.filter((e) => e.jobId === plain.jobId).some((e) => 'runId' in e)).toBe(false)
  })

  it('cancels a running job', async () => {
    const { jobs } = service()
    const { jobId, done } = jobs.start('step-probe', {})
    await vi.waitFor(() => expect(jobs.list()[0].phase).toBe('timing the computer'), {
      timeout: 20_000,
    })
    expect(jobs.cancel(jobId)).toBe(true)
    expect((await done).status).toBe('cancelled')
    expect(jobs.cancel(jobId)).toBe(false)
  })

  it('reports a crashed job process as an error and keeps running', async () => {
    const { jobs } = service()
    const final = await jobs.start('test-run', {}).done
    expect(final.status).toBe('error')
    expect(final.error?.code).toBe('job-crashed')
    expect(final.error?.message).toMatch(/stopped unexpectedly.*SIGKILL/)
    const next = await jobs.start('predict-file', { steps: 1 }).done
    expect(next.status).toBe('success')
  })

  it('passes a handler error through with its code', async () => {
    const { jobs } = service()
    const h = jobs.handlers()
    const final = await jobs.start('train', {}).done
    expect(final.error).toEqual({ code: 'bad-input', message: 'Row 17: the label column is empty' })
    expect((await h['jobs/list']({})).map((j) => j.status)).toEqual(['error'])
    expect(await h['jobs/cancel']({ jobId: final.jobId })).toEqual({ cancelled: false })
  })
})

describe('ProgressThrottle', () => {
  it('publishes at most once per interval and always delivers the latest value', () => {
    vi.useFakeTimers()
    try {
      let now = 0
      const out: number[] = []
      const t = new ProgressThrottle<number>(
        (v) => out.push(v),
        100,
        () => now,
      )
      t.push(1) // immediate
      now = 10
      t.push(2)
      now = 50
      t.push(3)
      expect(out).toEqual([1])
      now = 100
      vi.advanceTimersByTime(100)
      expect(out).toEqual([1, 3])
      now = 150
      t.push(4)
      t.cancel()
      vi.advanceTimersByTime(200)
      expect(out).toEqual([1, 3])
    } finally {
      vi.useRealTimers()
    }
  })
})

/** A reader that yields `rows` texts, pausing at `gateAt` until the test opens the gate. */
class GatedReader implements SourceReader {
  private open!: () => void
  readonly gate = new Promise<void>((r) => (this.open = r))
  constructor(
    private readonly rows: number,
    private readonly gateAt = Infinity,
    /** Let the event loop turn every `yieldEvery` rows, so timers (the throttle) can fire. */
    private readonly yieldEvery = 0,
  ) {}
  release(): void {
    this.open()
  }
  async preview(): Promise<never> {
    throw new Error('not used')
  }
  async *records(): AsyncIterable<SourceRecord> {
    for (let i = 0; i < this.rows; i++) {
      if (i === this.gateAt) await this.gate
      if (this.yieldEvery && i % this.yieldEvery === 0) await new Promise((r) => setTimeout(r, 1))
      yield { row: i + 2, text: `note ${i}`, label: i % 2 ? 'a' : 'b' }
    }
  }
}

describe('imports as in-process jobs', () => {
  let home: string | undefined
  let workspace: Workspace | undefined
  afterEach(() => {
    workspace?.close()
    if (home) rmSync(home, { recursive: true, force: true })
    workspace = home = undefined
  })

  async function importSetup(reader: SourceReader) {
    home = mkdtempSync(join(tmpdir(), 'cts-jobs-'))
    workspace = openWorkspace(home)
    const events: JobProgressDto[] = []
    const jobs = new JobService({ publish: (_e, p) => events.push(p) })
    const projects = new ProjectsService(workspace.repos, 'tester')
    const datasets = new DatasetsService(workspace.repos, projects, reader, 'tester', jobs)
    const project = await projects.create({ name: 'notes', kind: 'multiclass' })
    const run = () =>
      datasets.import({
        projectId: project.id,
        file: { path: '/nowhere/notes.csv' },
        mapping: { text: 'text', label: 'label' },
      })
    const textCount = async () => (await projects.get(project.id)).textCount
    return { events, jobs, run, textCount }
  }

  it('lists a running import; a cancel leaves no texts and ends it as cancelled', async () => {
    const reader = new GatedReader(50, 20)
    const { events, jobs, run, textCount } = await importSetup(reader)
    const importing = run()
    await vi.waitFor(() => expect(jobs.list()[0]).toMatchObject({ phase: 'reading', step: 20 }))
    const [listed] = await jobs.handlers()['jobs/list']({})
    expect(listed).toMatchObject({ kind: 'import', status: 'running', phase: 'reading' })
    expect(await jobs.handlers()['jobs/cancel']({ jobId: listed.jobId })).toEqual({
      cancelled: true,
    })
    reader.release()
    const error = await importing.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CtsError)
    expect(error).toMatchObject({
      code: 'cancelled',
      message: 'The import was cancelled; the project is unchanged.',
    })
    expect(await textCount()).toBe(0)
    expect(jobs.list()).toEqual([events.at(-1)])
    expect(events.at(-1)).toMatchObject({
      jobId: listed.jobId,
      kind: 'import',
      status: 'cancelled',
      phase: 'cancelled',
    })
    expect(await jobs.handlers()['jobs/cancel']({ jobId: listed.jobId })).toEqual({
      cancelled: false,
    })
  })

  it('throttles import progress and resolves with the import result', async () => {
    const { events, jobs, run, textCount } = await importSetup(new GatedReader(3000, Infinity, 25))
    const t0 = Date.now()
    const result = await run()
    const elapsedMs = Date.now() - t0
    expect(result).toMatchObject({ imported: 3000, duplicates: 0, rejected: 0 })
    expect(await textCount()).toBe(3000)
    const running = events.filter((e) => e.status === 'running')
    // 3000 reports, at most one publish per 100 ms (the first at once, the latest after a wait).
    expect(running.length).toBeGreaterThan(0)
    expect(running.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / 100) + 1)
    expect(running[0]).toMatchObject({ kind: 'import', phase: 'reading', step: 1 })
    const final = events.at(-1)
    expect(final).toMatchObject({ kind: 'import', status: 'success', phase: 'done', step: 3000 })
    expect(final?.kind === 'import' && final.status === 'success' && final.result).toEqual(result)
    expect(events.filter((e) => e.status !== 'running')).toHaveLength(1)
    expect(jobs.list()).toEqual([final])
  })

  it('rejects with the import error itself and ends the job as an error', async () => {
    const reader: SourceReader = {
      preview: async () => {
        throw new Error('not used')
      },
      records: () => ({
        // eslint-disable-next-line require-yield
        async *[Symbol.asyncIterator]() {
          throw new CtsError('bad-input', 'Row 3: the file ends in the middle of a quoted field.')
        },
      }),
    }
    const { events, run, textCount } = await importSetup(reader)
    await expect(run()).rejects.toEqual(
      new CtsError('bad-input', 'Row 3: the file ends in the middle of a quoted field.'),
    )
    expect(events.at(-1)).toMatchObject({
      kind: 'import',
      status: 'error',
      phase: 'failed',
      error: {
        code: 'bad-input',
        message: 'Row 3: the file ends in the middle of a quoted field.',
      },
    })
    expect(await textCount()).toBe(0)
  })

  it('runs in-process work beside job processes, and cancels it through its signal', async () => {
    const events: JobProgressDto[] = []
    const jobs = new JobService({ publish: (_e, p) => events.push(p) })
    const job = jobs.run('import', async (ctx) => {
      ctx.report({ phase: 'reading', step: 1 })
      await new Promise((r) => ctx.signal.addEventListener('abort', r))
      throw new Error('stopped')
    })
    expect(jobs.list().map((j) => j.jobId)).toEqual([job.jobId])
    expect(jobs.cancel(job.jobId)).toBe(true)
    await expect(job.outcome).rejects.toMatchObject({
      code: 'cancelled',
      message: 'The import job was cancelled.',
    })
    expect((await job.done).status).toBe('cancelled')
    // No 'starting' event for in-process work: its first event is its first report.
    expect(events.map((e) => [e.status, e.phase])).toEqual([
      ['running', 'reading'],
      ['cancelled', 'cancelled'],
    ])
    expect(() => jobs.start('train', {})).toThrow(CtsError)
  })
})

describe('job progress types', () => {
  it('ties each kind to its phases, metrics and result', () => {
    const ok: JobProgressUpdate<'import'> = { phase: 'reading', step: 1 }
    // @ts-expect-error — 'training' is not a phase of an import
    const badPhase: JobProgressUpdate<'import'> = { phase: 'training' }
    // @ts-expect-error — 'importing' is not a phase at all
    const misspelt: JobProgressUpdate<'predict-file'> = { phase: 'importing' }
    // @ts-expect-error — an import carries no metrics
    const noMetrics: JobProgressUpdate<'import'> = { phase: 'reading', metrics: { epoch: 1 } }
    const train: JobProgressUpdate<'train'> = {
      phase: 'training',
      metrics: { epoch: 1, epochs: 3, learningRate: 2e-5 },
    }
    // @ts-expect-error — a training's epoch metrics need the epoch count too
    const partial: JobProgressUpdate<'train'> = { phase: 'training', metrics: { epoch: 1 } }
    expect([ok, badPhase, misspelt, noMetrics, train, partial]).toHaveLength(6)

    // Narrowing on kind and status types the result: no casts.
    expectTypeOf<
      Extract<JobProgressOf<'train'>, { status: 'success' }>['result']
    >().toEqualTypeOf<TrainJobResult>()
    expectTypeOf<
      Extract<JobProgressOf<'cv'>, { status: 'success' }>['result']
    >().toEqualTypeOf<CvJobResult>()
    const rows = (p: JobProgressDto) =>
      p.kind === 'predict-file' && p.status === 'success' ? p.result.rows : 0
    // @ts-expect-error — a train job's result has no rows
    const wrong = (p: JobProgressOf<'train'>) => (p.status === 'success' ? p.result.rows : 0)
    expectTypeOf(rows).returns.toEqualTypeOf<number>()
    expectTypeOf<PredictFileResultDto['rows']>().toEqualTypeOf<number>()
    expect(typeof wrong).toBe('function')
    const jobs = new JobService({ publish: () => {} })
    expectTypeOf(jobs.start<'step-probe'>).returns.toHaveProperty('done')
    expectTypeOf(jobs.run<'import'>)
      .parameter(1)
      .parameter(0)
      .toHaveProperty('report')
  })
})
