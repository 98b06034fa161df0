// Runs: one row per training run (config, labels, data hash, seed, provider, status, timings,
// metrics) plus per-epoch rows; artifacts in <runsDir>/<id>/ (<home>/runs, or a team workspace's
// cache of its database's run files), written atomically, never overwritten.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { basename, dirname, join, relative, sep } from 'node:path'
import { CHECKPOINTS_DIR, CtsError } from '../shared'
import type {
  EvaluationDto,
  MetricsRowDto,
  RunComparisonDto,
  RunDto,
  RunEpochDto,
} from '../../preload/contract/training'
import { readArtifactFile, writeNewArtifactAtomic } from '../shared/artifact-crypto'
import { sha256File } from '../shared/file-hash'
import { readEnsembleMeta } from '../ml/infer/ensemble-bundle'
import type { Repositories } from '../store/repositories'
import type { NewRun, RunOutcome } from '../store/runs-repository'
import {
  damagedArtifact,
  type RunArtifactFile,
  type RunArtifactStore,
} from '../store/run-artifacts'

export type { NewRun, RunOutcome } from '../store/runs-repository'

export class RunsService {
  private readonly repo: Repositories['runs']
  /** Runs whose local folder is being checked or filled now (two swaps at once would collide). */
  private readonly filling = new Map<number, Promise<string>>()

  constructor(
    store: Pick<Repositories, 'runs'>,
    private readonly runsDir: string,
    /** An encrypted workspace's artifact key: artifacts written here are AES-256-GCM files. */
    private readonly artifactKey?: Uint8Array,
    /**
     * A team workspace's store of run files (issue #17 point 6): a finished run's files go there,
     * and another computer's run folder is a local cache filled from there on demand.
     */
    private readonly artifacts?: RunArtifactStore,
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
    // The test job wrote the run's test predictions: a team workspace stores them with the rest.
    await this.publish(runId)
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

  /**
   * A team workspace: stores the finished run's files (all but its checkpoints) in the database,
   * so every member's computer can predict with it and report on it. Nothing on a local one.
   */
  async publish(runId: number): Promise<void> {
    if (!this.artifacts) return
    const dir = this.runDir(runId)
    const files = filesUnder(dir).filter((p) => p.split('/')[0] !== CHECKPOINTS_DIR)
    await this.artifacts.put(
      runId,
      files.map((p) => ({ path: p, file: join(dir, ...p.split('/')) })),
    )
  }

  /**
   * The run's folder on this computer, ready to read; an ensemble's members' folders too (each
   * member's place in model.json is checked: its own run folder, nothing else). On a team
   * workspace the folder must hold exactly the files the database holds for the run (checkpoints
   * aside), each checked by size and sha256; otherwise the complete set is built in a staging
   * folder (good local copies copied, the rest fetched and checked) and swapped in whole, so no
   * other run's leftovers stay (a damaged file: CtsError 'run-artifact-damaged', nothing of it used).
   */
  async localRunDir(runId: number): Promise<string> {
    const dir = await this.filledRunDir(runId)
    const meta = readEnsembleMeta(dir)
    for (const m of meta?.members ?? []) {
      checkMemberDir(runId, m)
      await this.filledRunDir(m.runId)
    }
    return dir
  }

  /** localRunDir without the ensemble's members; one check at a time per run (callers share it). */
  private filledRunDir(runId: number): Promise<string> {
    const running = this.filling.get(runId)
    if (running) return running
    const filled = this.fillRunDir(runId).finally(() => this.filling.delete(runId))
    this.filling.set(runId, filled)
    return filled
  }

  private async fillRunDir(runId: number): Promise<string> {
    const dir = this.runDir(runId)
    if (!this.artifacts) return dir
    const stored = await this.artifacts.list(runId)
    // Still training, crashed (resume reads its checkpoints) or stored by no one: the local folder.
    if (stored.length === 0) return dir
    for (const f of stored) safeArtifactPath(runId, f.path)
    const good = new Set<string>()
    for (const f of stored) if (await sameFile(inside(dir, f.path), f)) good.add(f.path)
    const wanted = new Set(stored.map((f) => f.path))
    // The trainer's own checkpoints are never stored; any other extra file is not this run's.
    const extra = filesUnder(dir).some((p) => !wanted.has(p) && p.split('/')[0] !== CHECKPOINTS_DIR)
    if (good.size === stored.length && !extra) return dir
    mkdirSync(this.runsDir, { recursive: true })
    const staging = mkdtempSync(join(this.runsDir, `.${runId}-fetch-`))
    try {
      for (const f of stored) {
        const file = inside(staging, f.path)
        mkdirSync(dirname(file), { recursive: true })
        if (good.has(f.path)) copyFileSync(inside(dir, f.path), file)
        else await this.artifacts.fetch(runId, f, file)
      }
      // Every file checked: only now is the run folder replaced, whole.
      swapFolder(staging, dir)
    } finally {
      rmSync(staging, { recursive: true, force: true })
    }
    return dir
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

/** The files under a folder, as '/'-separated paths relative to it (none when it is missing). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort()
}

/** One path segment a run folder may hold on every system (no ':', no device name, no '..'). */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/
/** Names Windows keeps for devices, with any extension (NUL, nul.txt, COM1, …). */
const DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i

/** Whether a stored '/'-separated path is a plain relative path inside a run folder. */
export function isSafeArtifactPath(path: string): boolean {
  return path
    .split('/')
    .every((p) => SAFE_SEGMENT.test(p) && !DEVICE_NAME.test(p) && !p.endsWith('.'))
}

/** A stored path must stay inside the run folder (a database row is not trusted blindly). */
function safeArtifactPath(runId: number, path: string): void {
  if (!isSafeArtifactPath(path))
    throw damagedArtifact(runId, path, 'its name points outside the run folder')
}

/** An ensemble member's folder must be its own run's folder, next to the ensemble's ('../12'). */
function checkMemberDir(runId: number, m: { runId: number; dir: string }): void {
  const parts = String(m.dir).split(/[\\/]/)
  const ok =
    Number.isSafeInteger(m.runId) &&
    m.runId > 0 &&
    parts.length === 2 &&
    parts[0] === '..' &&
    parts[1] === String(m.runId)
  if (!ok)
    throw new CtsError(
      'run-artifact-damaged',
      `Run ${runId}'s model.json places its member run ${m.runId} at "${m.dir}", which is not that run's folder; the ensemble was not used. Build the ensemble again.`,
      { runId, member: m.runId },
    )
}

/** A checked '/'-separated stored path inside `dir`. */
function inside(dir: string, path: string): string {
  return join(dir, ...path.split('/'))
}

/** Moves `staging` to `dir`, replacing whatever was there (the old folder goes after). */
function swapFolder(staging: string, dir: string): void {
  const old = existsSync(dir) ? `${staging}-old` : undefined
  if (old) renameSync(dir, old)
  try {
    renameSync(staging, dir)
  } catch (err) {
    if (old) renameSync(old, dir)
    throw err
  }
  if (old) rmSync(old, { recursive: true, force: true })
}

/** Whether the local file is exactly the stored one (size first: cheap; the hash streamed). */
async function sameFile(file: string, f: RunArtifactFile): Promise<boolean> {
  if (!existsSync(file) || !statSync(file).isFile() || statSync(file).size !== f.size) return false
  return (await sha256File(file)) === f.sha256
}
