// Fuzzing every call of the contract (issue #15 point 7): payloads derived from each call's schema
// (right shapes with hostile values, wrong types, missing and extra keys) and plain junk, sent
// through the one dispatch path every transport uses (boot().dispatch: IPC, web bridge, CLI) on a
// workspace with a project, texts and a finished run. Every answer is an envelope; an error is
// structured ({code, message}) and never 'internal' (an unexpected exception in a handler).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callSchemas, type CallEnvelope } from '../../preload/contract'
import type { ChildToHost, HostToChild, JobHost } from '../../main/jobs/job-protocol'
import { boot, type Backend } from '../../main/root/boot'
import { RunsService } from '../../main/services/runs-service'
import { CtsError } from '../../main/shared'
import { openWorkspace } from '../../main/store/workspace'
import { writeBaselineBundle } from '../unit/ml/infer/bundles'
import { fuzz, withinTime } from './harness'
import { payloadFor, sanitized } from './zod-arbitrary'

/** Inputs per call (× every call of the contract). */
const RUNS = 40

/** Job processes that refuse at once: no training, prediction or study really runs. */
class RefusingHost implements JobHost {
  spawn() {
    let listener: ((m: ChildToHost) => void) | undefined
    let exit: ((code: number | null, signal: string | null) => void) | undefined
    return {
      send: (m: HostToChild) => {
        if (m.type !== 'start') return
        setImmediate(() => {
          listener?.({
            type: 'error',
            error: { code: 'unsupported', message: 'not run while fuzzing' },
          })
          exit?.(0, null)
        })
      },
      onMessage: (l: (m: ChildToHost) => void) => void (listener = l),
      onExit: (l: (code: number | null, signal: string | null) => void) => void (exit = l),
      kill: () => exit?.(null, 'SIGTERM'),
    }
  }
}

let root: string
let cwd: string
let backend: Backend
const internal: string[] = []
let total = 0
/** Inputs that passed the schema and reached a handler. */
let reached = 0
/** The same, for the call being fuzzed. */
let reachedHere = 0

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cts-fuzz-contract-'))
  const home = join(root, 'home')
  // Paths in payloads are relative (zod-arbitrary keeps them so): whatever a call writes lands here.
  cwd = process.cwd()
  mkdirSync(join(root, 'work'))
  process.chdir(join(root, 'work'))
  const ws = openWorkspace(home)
  const runs = new RunsService(ws.repos, ws.runsDir)
  const run = await runs.create({
    modelKind: 'baseline',
    baseModel: 'baseline',
    labels: ['健康', '疾病'],
    config: {},
    dataHash: 'sha256:fuzz',
    seed: 1,
  })
  writeBaselineBundle({ dir: runs.runDir(run) })
  await runs.finish(run, { status: 'success', provider: 'cpu' })
  ws.close()
  backend = await boot({
    home,
    actor: 'fuzzer',
    jobHost: new RefusingHost(),
    printPdf: async () => {
      throw new CtsError('unsupported', 'No PDF printing while fuzzing.')
    },
    // The GPU pack calls reach their handlers, but nothing is downloaded, probed or removed.
    gpu: {
      status: async () => {
        throw new CtsError('unsupported', 'No GPU status while fuzzing.')
      },
      install: async () => {
        throw new CtsError('unsupported', 'No GPU pack install while fuzzing.')
      },
      remove: async () => ({ removed: false, dir: 'gpu-pack' }),
    },
  })
  const project = await backend.dispatch('projects/create', { name: 'Notes', kind: 'binary' })
  expect(project.ok).toBe(true)
  const csv = 'text,label\n胸痛伴气短,疾病\nroutine checkup normal,健康\n反复头痛 headache,疾病\n'
  const file = { name: 'notes.csv', contentBase64: Buffer.from(csv).toString('base64') }
  const imported = await backend.dispatch('datasets/import', {
    projectId: 1,
    file,
    mapping: { text: 'text', label: 'label' },
  })
  expect(imported.ok).toBe(true)
})

afterAll(async () => {
  await backend?.shutdown()
  process.chdir(cwd)
  rmSync(root, { recursive: true, force: true })
  console.log(
    `fuzz contract (all ${Object.keys(callSchemas).length} calls): ${total} inputs, 0 crashes, 0 hangs ` +
      `(${reached} passed the schema and reached a handler)`,
  )
})

function checkEnvelope(name: string, env: CallEnvelope): 'result' | 'error' {
  const schemaRefused =
    !env.ok &&
    env.error.code === 'bad-input' &&
    env.error.message.startsWith('Invalid arguments for')
  if (!schemaRefused) {
    reached++
    reachedHere++
  }
  if (env.ok) return 'result'
  expect(typeof env.error.code).toBe('string')
  expect(typeof env.error.message).toBe('string')
  expect(env.error.message.length).toBeGreaterThan(0)
  if (env.error.code === 'internal')
    throw new Error(`crash: ${name} answered 'internal' (${internal.at(-1) ?? ''})`)
  return 'error'
}

describe('every contract call with malformed payloads', () => {
  // Deletions last, so the other calls meet the project, its texts and the run.
  const names = (Object.keys(callSchemas) as (keyof typeof callSchemas)[]).sort(
    (a, b) => Number(a.endsWith('/delete')) - Number(b.endsWith('/delete')),
  )
  it('covers every call of the contract', () => {
    expect(names.length).toBeGreaterThanOrEqual(73)
  })
  for (const name of names) {
    it(`${name}: a structured answer for every payload`, async () => {
      const arb = fc.oneof(
        { arbitrary: payloadFor(callSchemas[name]), weight: 4 },
        { arbitrary: fc.anything(), weight: 1 },
      )
      reachedHere = 0
      const count = await fuzz(
        `contract ${name}`,
        arb.map(sanitized),
        RUNS,
        async (args) => {
          const env = await withinTime(() =>
            backend.dispatch(name, args, { log: (line) => internal.push(line) }),
          )
          return checkEnvelope(name, env)
        },
        () => `; ${reachedHere} got past the schema to the handler`,
      )
      total += count.inputs
    })
  }
})
