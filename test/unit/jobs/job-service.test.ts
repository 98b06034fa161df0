import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import type { JobProgressDto } from '../../../preload/contract/jobs'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { ProgressThrottle } from '../../../main/jobs/progress-throttle'

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
    const { jobId, done } = jobs.start('import', { steps: 60 })
    const final = await done
    expect(final).toMatchObject({ jobId, kind: 'import', status: 'success', result: { rows: 60 } })
    expect(final.step).toBe(60)
    // 60 updates ~5 ms apart (~300 ms+) collapse to a handful of publishes.
    const progress = events.filter((e) => e.status === 'running' && e.phase === 'importing')
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.length).toBeLessThan(20)
    expect(events.at(-1)).toEqual(final)
    expect(jobs.list()).toEqual([final])
  })

  it("carries the caller's runId on every progress event, and none when not given", async () => {
    const { jobs, events } = service()
    const withRun = await jobs.start('import', { steps: 3 }, { runId: 9 }).done
    const plain = await jobs.start('import', { steps: 1 }).done
    const ofRun = events.filter((e) => e.jobId === withRun.jobId)
    expect(ofRun.map((e) => e.status)).toContain('running')
    expect(ofRun.every((e) => e.runId === 9)).toBe(true)
    expect(jobs.list().find((j) => j.jobId === withRun.jobId)?.runId).toBe(9)
    expect(events.filter((e) => e.jobId === plain.jobId).some((e) => 'runId' in e)).toBe(false)
  })

  it('cancels a running job', async () => {
    const { jobs } = service()
    const { jobId, done } = jobs.start('export', {})
    await vi.waitFor(() => expect(jobs.list()[0].phase).toBe('waiting'), { timeout: 20_000 })
    expect(jobs.cancel(jobId)).toBe(true)
    expect((await done).status).toBe('cancelled')
    expect(jobs.cancel(jobId)).toBe(false)
  })

  it('reports a crashed job process as an error and keeps running', async () => {
    const { jobs } = service()
    const final = await jobs.start('predict-file', {}).done
    expect(final.status).toBe('error')
    expect(final.error?.code).toBe('job-crashed')
    expect(final.error?.message).toMatch(/stopped unexpectedly.*SIGKILL/)
    const next = await jobs.start('import', { steps: 1 }).done
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
