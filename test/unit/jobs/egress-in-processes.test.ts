// The egress guard is in every Node process the app starts: a job process and the backend,
// started through their real fork paths, refuse a connection with the guard's message; every
// process entry installs the guard before any other module of ours, and every entry that can run
// onnxruntime installs the GPU pack's binding redirect right after it.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { backendEntryPath, forkBackend } from '../../../main/backend/fork-launcher'
import { ForkHost, jobEntryPath } from '../../../main/jobs/fork-host'
import type { HostToChild } from '../../../main/jobs/job-protocol'
import { egressBlockedError } from '../../../main/shared/egress-guard'

const PROBE = new URL('../../fixtures/egress/egress-probe.mjs', import.meta.url).href
const EXEC_ARGV = ['--import', 'tsx', '--import', PROBE]

interface ProbeResult {
  type: 'egress-probe-result'
  installed: boolean
  outcome: string
  net?: { code: string; message: string }
  fetch?: { code: string; message: string }
}

const refused: ProbeResult = {
  type: 'egress-probe-result',
  installed: true,
  outcome: 'refused',
  net: { code: 'egress-blocked', message: egressBlockedError('10.0.0.1', 80).message },
  fetch: { code: 'egress-blocked', message: egressBlockedError('example.com', '443').message },
}

describe('the egress guard in the processes the app starts', () => {
  it('refuses a job process connection (ForkHost + the real job entry)', async () => {
    const proc = new ForkHost({ entry: jobEntryPath(), execArgv: EXEC_ARGV }).spawn()
    try {
      const result = await new Promise<ProbeResult>((resolve) => {
        // The probe answers only once the entry (and so the guard) has loaded: poll until then.
        const probe = { type: 'egress-probe' } as unknown as HostToChild
        const timer = setInterval(() => proc.send(probe), 200)
        proc.onMessage((m) => {
          if ((m as unknown as ProbeResult).type !== 'egress-probe-result') return
          clearInterval(timer)
          resolve(m as unknown as ProbeResult)
        })
      })
      expect(result).toEqual(refused)
    } finally {
      proc.kill()
    }
  }, 60_000)

  it('refuses a backend process connection (forkBackend + the real backend entry)', async () => {
    const child = forkBackend(backendEntryPath(), { execArgv: EXEC_ARGV })()
    try {
      const result = await new Promise<ProbeResult>((resolve) => {
        const timer = setInterval(() => child.postMessage({ type: 'egress-probe' }), 200)
        child.on('message', (m: unknown) => {
          if ((m as ProbeResult).type !== 'egress-probe-result') return
          clearInterval(timer)
          resolve(m as ProbeResult)
        })
      })
      expect(result).toEqual(refused)
    } finally {
      child.kill()
    }
  }, 60_000)

  it('installs the guard first in every process entry', () => {
    const GUARD = "import '../shared/egress-guard-install'"
    const REDIRECT = "import '../shared/ort-binding-redirect-install'"
    const entries = [
      'main/app/electron-main.ts',
      'main/backend/backend-entry.ts',
      'main/jobs/job-entry.ts',
      'main/jobs/job-host-entry.ts',
      'main/serve/predictor-worker.ts',
      'main/web/serve.ts',
    ]
    for (const entry of entries) {
      const text = readFileSync(
        fileURLToPath(new URL(`../../../${entry}`, import.meta.url)),
        'utf8',
      )
      const imports = text.split('\n').filter((l) => /^import\b/.test(l))
      expect([entry, imports[0]?.startsWith(GUARD)]).toEqual([entry, true])
      // Second, in every entry that can run onnxruntime: the binding may come from the GPU pack.
      if (entry !== 'main/app/electron-main.ts') {
        expect([entry, imports[1]?.startsWith(REDIRECT)]).toEqual([entry, true])
      }
    }
    // bin/cts.mjs: tsx first (it loads .ts), then the guard, then the CLI.
    const cli = readFileSync(
      fileURLToPath(new URL('../../../bin/cts.mjs', import.meta.url)),
      'utf8',
    )
    const guard = cli.indexOf("await import('../main/shared/egress-guard-install.ts')")
    expect(guard).toBeGreaterThan(cli.indexOf('register()'))
    expect(guard).toBeLessThan(cli.indexOf("await import('../main/cli/index.ts')"))
    const redirect = cli.indexOf("await import('../main/shared/ort-binding-redirect-install.ts')")
    expect(redirect).toBeGreaterThan(guard)
    expect(redirect).toBeLessThan(cli.indexOf("await import('../main/cli/index.ts')"))
  })
})
