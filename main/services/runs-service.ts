// Runs: one row per training run (config, labels, data hash, seed, provider, status, timings,
// metrics) plus per-epoch rows; artifacts in <home>/runs/<id>/, written atomically, never overwritten.
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import { CtsError } from '../shared'
import type {
  EvaluationDto,
  MetricsRowDto,
  RunComparisonDto,
  RunDto,
  RunEpochDto,
} from '../../preload/contract/training'
import { readArtifactFile, writeNewArtifactAtomic } from '../shared/artifact-crypto'
import type { Repositories } from '../store/repositories'
import type { NewRun, RunOutcome } from '../store/runs-repository'

export type { NewRun, RunOutcome } from '../store/runs-repository'

export class RunsService {
  private readonly repo: Repositories['runs']

  constructor(
    store: Pick<Repositories, 'runs'>,
    private readonly runsDir: string,
    /** An encrypted workspace's artifact key: artifacts written here are AES-256-GCM files. */
    private readonly artifactKey?: Uint8Array,
  ) {
    this.repo = store.runs
  }

  /** Record a new run (status 'running') and create its artifact folder. */
  async create(run: NewRun): Promise<number> {
    const id = await this.repo.create(run)
    const dir = this.runDir(id)
    // A folder left by a deleted database must not be reused: runs are never overwritten.
    if (existsSync(dir)) {
      throw new CtsError(
        'conflict',
        `The run folder ${dir} already exists; it was not overwritten.`,
      )
    }
    mkdirSync(dir, { recursive: true })
    return id
  }

  /**
   * A study's winner is scored on test after it finished (its candidates never are): record that
   * score, once.
   */
  async setTest(runId: number, test: EvaluationDto, evalSeconds: number): Promise<void> {
    if (!(await this.repo.setTest(runId, test, evalSeconds)))
      throw new CtsError('conflict', `Run ${runId} already has a test score (or did not finish).`)
  }

  runDir(runId: number): string {
    return join(this.runsDir, String(runId))
  }

  async addEpoch(runId: number, e: RunEpochDto): Promise<void> {
    await this.repo.addEpoch(runId, e)
  }

  async finish(runId: number, o: RunOutcome): Promise<void> {
    if (!(await this.repo.finish(runId, o)))
      throw new CtsError(
        'conflict',
        `Run ${runId} is not running; its outcome is already recorded.`,
      )
  }

  /** Back to 'running' for a resume after a crash. */
  async reopen(runId: number): Promise<void> {
    await this.repo.reopen(runId)
  }

  async get(runId: number): Promise<RunDto> {
    const run = await this.repo.get(runId)
    if (!run) throw new CtsError('not-found', `Run ${runId} does not exist in this workspace.`)
    return run
  }

  async list(projectId?: number): Promise<RunDto[]> {
    return this.repo.list(projectId)
  }

  /** Write an artifact atomically; an existing artifact is never replaced. */
  writeArtifact(runId: number, name: string, data: Uint8Array | string): string {
    if (basename(name) !== name)
      throw new CtsError('bad-input', `Artifact name ${name} must be a plain file name.`)
    const path = join(this.runDir(runId), name)
    if (existsSync(path))
      throw new CtsError('conflict', `Run ${runId} already has ${name}; it was not overwritten.`)
    writeNewArtifactAtomic(path, data, this.artifactKey)
    return path
  }

  readArtifact(runId: number, name: string): Buffer {
    const path = join(this.runDir(runId), name)
    if (!existsSync(path)) throw new CtsError('not-found', `Run ${runId} has no ${name}.`)
    // Decrypted when encrypted; a run written before the workspace was encrypted reads as stored.
    return readArtifactFile(path, this.artifactKey)
  }

  /**
   * Test metrics of two or more runs side by side, and each run's differences to the first.
   * Runs must share one label set (in any order) and have finished with test metrics.
   */
  async compare(runIds: number[]): Promise<RunComparisonDto> {
    if (new Set(runIds).size !== runIds.length)
      throw new CtsError('bad-input', 'Choose different runs to compare: a run was listed twice.')
    const runs: RunDto[] = []
    for (const id of runIds) runs.push(await this.get(id))
    const labels = runs[0].labels
    for (const r of runs) {
      const same = r.labels.length === labels.length && r.labels.every((l) => labels.includes(l))
      if (!same) {
        throw new CtsError(
          'bad-input',
          `Runs ${runs[0].id} and ${r.id} have different labels (${labels.join(', ')} vs ` +
            `${r.labels.join(', ')}); only runs with the same labels can be compared.`,
        )
      }
      if (!r.test) {
        throw new CtsError(
          'bad-input',
          `Run ${r.id} has no test metrics (it ended: ${r.status}); compare finished runs only.`,
        )
      }
    }
    const metrics: MetricsRowDto[] = runs.map((r) => ({
      runId: r.id,
      accuracy: r.test!.accuracy,
      macro_f1: r.test!.macro_f1,
      weighted_f1: r.test!.weighted_f1,
      per_class_f1: Object.fromEntries(labels.map((l) => [l, r.test!.per_class[l]?.f1 ?? 0])),
    }))
    const base = metrics[0]
    const differences = metrics.map((m) => ({
      runId: m.runId,
      accuracy: m.accuracy - base.accuracy,
      macro_f1: m.macro_f1 - base.macro_f1,
      weighted_f1: m.weighted_f1 - base.weighted_f1,
      per_class_f1: Object.fromEntries(
        labels.map((l) => [l, m.per_class_f1[l] - base.per_class_f1[l]]),
      ),
    }))
    const sameData = runs.every((r) => r.dataHash === runs[0].dataHash)
    return { labels, runs, metrics, differences, sameData }
  }

  /** Delete a run's record, epochs and folder; the audit log keeps who deleted what, when. */
  async delete(runId: number, actor: string): Promise<{ deleted: number }> {
    const run = await this.get(runId)
    // An ensemble predicts with its members' models: they go only after the ensemble.
    const users = (await this.repo.ensembleConfigs()).filter((r) =>
      (r.config as { ensemble?: { members?: { runId: number }[] } }).ensemble?.members?.some(
        (m) => m.runId === runId,
      ),
    )
    if (users.length > 0) {
      const ids = users.map((u) => u.id).join(', ')
      const runsOf = users.length === 1 ? `run ${ids}` : `runs ${ids}`
      throw new CtsError(
        'conflict',
        `Run ${runId} is a member of ensemble ${runsOf}, which ${users.length === 1 ? 'predicts' : 'predict'} with its model; delete ${runsOf} first.`,
      )
    }
    await this.repo.delete(runId, {
      actor,
      projectId: run.projectId,
      details: {
        runId,
        baseModel: run.baseModel,
        status: run.status,
        dataHash: run.dataHash,
      },
    })
    rmSync(this.runDir(runId), { recursive: true, force: true })
    return { deleted: runId }
  }
}
