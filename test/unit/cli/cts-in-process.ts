// Runs `cts` inside the test process through main(): exit code and what it wrote to stdout and
// stderr, without a process start per call (the flag and `cts next` tests make dozens of calls).
// Also: a workspace holding one finished baseline run, for the commands that look a run up.
import { vi } from 'vitest'
import { main } from '../../../main/cli/index'
import { RunsService } from '../../../main/services/runs-service'
import { openWorkspace } from '../../../main/store/workspace'
import { writeBaselineBundle } from '../ml/infer/bundles'

export interface CtsOutcome {
  code: number
  stdout: string
  stderr: string
}

/** `cts --home HOME …args` in this process (args that start with --home keep their own). */
export async function ctsInProcess(home: string, args: string[]): Promise<CtsOutcome> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk)
    return true
  })
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk)
    return true
  })
  try {
    const withHome = args[0] === '--home' ? args : ['--home', home, ...args]
    return { code: await main(withHome), stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}

/** Records a finished baseline run (labels 健康/疾病) with a real bundle in `home`; its id. */
export async function writeFinishedBaselineRun(home: string, dataHash: string): Promise<number> {
  const ws = openWorkspace(home)
  try {
    const runs = new RunsService(ws.repos, ws.runsDir)
    const id = await runs.create({
      modelKind: 'baseline',
      baseModel: 'baseline',
      labels: ['健康', '疾病'],
      config: {},
      dataHash,
      seed: 1,
    })
    writeBaselineBundle({ dir: runs.runDir(id) })
    await runs.finish(id, { status: 'success', provider: 'cpu' })
    return id
  } finally {
    ws.close()
  }
}
