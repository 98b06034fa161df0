// 'runs/exportModel' with triton: the browser's zip holds the Triton files under their paths
// (the same bytes as the folder export), and an ensemble run is refused with what to do instead.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PredictionsService } from '../../../main/services/predictions-service'
import { RunsService } from '../../../main/services/runs-service'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import type { JobService } from '../../../main/jobs/job-service'
import { writeBaselineBundle } from '../ml/infer/bundles'
import { viaDispatch } from '../services/call-helpers'

const LABELS = ['健康', '疾病']
let home: string
let ws: Workspace
let runs: RunsService
let service: PredictionsService
let runId: number

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cts-triton-service-'))
  ws = openWorkspace(home)
  runs = new RunsService(ws.repos, ws.runsDir)
  // Export needs no jobs: the job service is never reached.
  service = new PredictionsService(runs, {} as JobService)
  runId = await runs.create({
    modelKind: 'baseline',
    baseModel: 'baseline',
    labels: LABELS,
    config: { epochs: 3 },
    dataHash: 'sha256:feed',
    seed: 9,
  })
  writeBaselineBundle({ seed: 9, dir: runs.runDir(runId) })
  await runs.finish(runId, { status: 'success', provider: 'cpu', trainSeconds: 1 })
})

afterAll(async () => {
  await service.dispose()
  ws.close()
  rmSync(home, { recursive: true, force: true })
})

describe('runs/exportModel with triton', () => {
  it('zips the Triton files under their paths, the same bytes as the folder', async () => {
    const h = viaDispatch(service.handlers())
    const path = join(home, 'exported')
    const r = await h['runs/exportModel']({ runId, path, triton: true })
    const name = `cts_run_${runId}`
    expect(r.files).toEqual([
      'MODEL_CARD.md',
      'featurizer.json',
      'inference.json',
      'labels.json',
      'model.onnx',
      `triton/${name}/1/model.onnx`,
      `triton/${name}/README.txt`,
      `triton/${name}/config.pbtxt`,
      `triton/${name}/labels.txt`,
    ])
    const z = await h['runs/exportModel']({ runId, triton: true })
    const zip = await JSZip.loadAsync(Buffer.from(z.contentBase64!, 'base64'))
    expect(
      Object.keys(zip.files)
        .filter((f) => !zip.files[f].dir)
        .sort(),
    ).toEqual(r.files.map((f) => `run-${runId}-model/${f}`))
    const config = await zip.file(`run-${runId}-model/triton/${name}/config.pbtxt`)!.async('string')
    expect(config).toBe(readFileSync(join(path, 'triton', name, 'config.pbtxt'), 'utf8'))
  })

  it('refuses an ensemble run, naming the member runs to export instead', async () => {
    const ensembleId = await runs.create({
      modelKind: 'ensemble',
      baseModel: 'ensemble',
      labels: LABELS,
      config: {
        ensemble: {
          members: [
            { runId, weight: 0.7, kind: 'baseline', baseModel: 'baseline' },
            { runId: 99, weight: 0.3, kind: 'bert', baseModel: 'tiny' },
          ],
          weight: 0.3,
        },
      },
      dataHash: 'sha256:feed',
      seed: 9,
    })
    await runs.finish(ensembleId, { status: 'success', provider: 'cpu', trainSeconds: 1 })
    const h = viaDispatch(service.handlers())
    await expect(
      h['runs/exportModel']({ runId: ensembleId, path: join(home, 'ens'), triton: true }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: `Run ${ensembleId} is an ensemble, whose probabilities are mixed outside one ONNX model; export each member run with the Triton layout instead (run ${runId}, run 99).`,
    })
  })
})
