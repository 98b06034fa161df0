// The app's CUDA check (issue #14): the app's backend cannot fork Node, so the GPU status asks a
// 'cuda-probe' job process. With ForkHost (plain Node, as the job tests run it), a fake whole pack
// on this CPU machine gives onnxruntime's exact error; a probe that aborts is reported, not hung
// on; and through the app's composition (backend process + main's job host) the status probes.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { GpuStatusDto } from '../../../preload/contract'
import { probeCudaInJob } from '../../../main/jobs/cuda-probe-host'
import { ForkHost, jobEntryPath } from '../../../main/jobs/fork-host'
import type { ChildToHost, HostToChild, JobHost } from '../../../main/jobs/job-protocol'
import { CUDA_PROBE_ABORT_ENV } from '../../../main/ml/runtime/cuda-probe-run'
import { startHarness, valueOf } from '../app/backend-harness'
import { fakeGpuLock, fakeGpuPack, fakeNvidiaProc } from './fake-gpu'

let base = ''
let root = ''
let dir = ''
let lockFile = ''
let procDir = ''
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'cts-cuda-probe-job-'))
  lockFile = fakeGpuLock(join(base, 'gpu-pack.lock.json'))
  procDir = fakeNvidiaProc(join(base, 'proc'), '580.65.06', 'NVIDIA RTX A2000 12GB')
  root = join(base, 'packs')
  dir = fakeGpuPack(root, { real: true })
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

const SEAMS = ['CTS_NVIDIA_PROC', 'CTS_GPU_PACK_LOCK', 'CTS_GPU_PACK_DIR'] as const
const saved = Object.fromEntries(SEAMS.map((k) => [k, process.env[k]]))
afterEach(() => {
  for (const k of SEAMS) {
    if (saved[k] === undefined) delete process.env[k]
    else process.env[k] = saved[k]
  }
})

/** What onnxruntime says when the fake pack's providers library is loaded (it is a text file). */
function packError(): string {
  const lib = join(dir, 'libonnxruntime_providers_shared.so')
  return (
    'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library ' +
    `(Failed to load library ${lib} with error: ${lib}: file too short)`
  )
}

/** The real job entry, forked, finding the pack where the app would ($CTS_GPU_PACK_DIR). */
function jobHost(extra: NodeJS.ProcessEnv = {}): ForkHost {
  return new ForkHost({
    entry: jobEntryPath(),
    env: { ...process.env, CTS_GPU_PACK_DIR: root, ...extra },
  })
}

describe("the 'cuda-probe' job", () => {
  it('in a job process with a fake whole pack: no session, onnxruntime’s exact error', async () => {
    expect(await probeCudaInJob(jobHost())).toEqual({
      sessionStarts: false,
      error: packError(),
      // The job process loaded the pack's binding, as the app's job processes do.
      bindingFrom: join(dir, 'onnxruntime_binding.node'),
    })
  }, 90_000)

  it('a CUDA start-up that aborts the job process is reported with its last words', async () => {
    const line = 'CUDA failure 999: the driver gave up (simulated) 驱动已停止'
    expect(await probeCudaInJob(jobHost({ [CUDA_PROBE_ABORT_ENV]: line }))).toEqual({
      sessionStarts: false,
      error: `the CUDA check stopped the process: ${line} (signal SIGABRT)`,
      bindingFrom: null,
    })
  }, 90_000)
})

/** A job host whose one process answers as `answer` says (no process is started). */
function fakeHost(answer: 'hang' | 'error' | 'throw'): JobHost {
  return {
    spawn: () => {
      if (answer === 'throw') throw new Error('spawn ENOMEM')
      let onMessage: (m: ChildToHost) => void = () => {}
      let onExit: (code: number | null, signal: string | null) => void = () => {}
      return {
        send: (m: HostToChild) => {
          if (m.type !== 'start' || answer !== 'error') return
          setImmediate(() => {
            onMessage({
              type: 'error',
              error: { code: 'internal', message: 'Graph: no such op (测试)' },
            })
            onExit(0, null)
          })
        },
        onMessage: (l) => void (onMessage = l),
        onExit: (l) => void (onExit = l),
        kill: () => setImmediate(() => onExit(null, 'SIGKILL')),
      }
    },
  }
}

describe('probeCudaInJob never throws and never hangs', () => {
  it('a job process that does not answer is killed after the timeout', async () => {
    expect(await probeCudaInJob(fakeHost('hang'), { timeoutMs: 1000 })).toEqual({
      sessionStarts: false,
      error: 'the CUDA check did not answer within 1 s',
      bindingFrom: null,
    })
  })

  it('a job that failed, and a job process that could not start, are said so', async () => {
    expect(await probeCudaInJob(fakeHost('error'))).toEqual({
      sessionStarts: false,
      error: 'the CUDA check failed: Graph: no such op (测试)',
      bindingFrom: null,
    })
    expect(await probeCudaInJob(fakeHost('throw'))).toEqual({
      sessionStarts: false,
      error: 'the CUDA check could not start: spawn ENOMEM',
      bindingFrom: null,
    })
  })
})

describe("'gpu/status' in the app's composition", () => {
  it('probes CUDA in a job process main starts for the backend', async () => {
    // The backend process and the job processes read these, as the installed app reads its own.
    process.env.CTS_NVIDIA_PROC = procDir
    process.env.CTS_GPU_PACK_LOCK = lockFile
    process.env.CTS_GPU_PACK_DIR = root
    const forks = jobHost()
    let spawned = 0
    const host: JobHost = { spawn: () => (spawned++, forks.spawn()) }
    const h = await startHarness({ jobHost: host })
    try {
      const s = valueOf<GpuStatusDto>(await h.invoke('gpu/status', { probe: true }))
      expect(spawned).toBe(1)
      expect(s.pack.state).toBe('installed')
      expect(s.cuda).toEqual({ sessionStarts: false, error: packError() })
      expect(s.message).toBe(
        `A CUDA session did not start: ${packError()}. Check that \`nvidia-smi\` lists the GPU; ` +
          'if it does, the GPU pack may be damaged. Remove and install it again: in Settings ' +
          '(NVIDIA GPU), or run `cts gpu remove` then `cts gpu install`.',
      )
    } finally {
      await h.close()
    }
  }, 120_000)
})
