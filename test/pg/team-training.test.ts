// Issue #17 point 6: training stays local on a team workspace. A lead's computer (folder A) trains
// on one consistent snapshot of the team's labels while another client labels without pause; the
// run records that snapshot (data hash + newest history id) and its labels can be recomputed from
// the history exactly. The run, its epochs and its report are visible from a second computer
// (folder B, its own composition root); B predicts with the model A trained, fetched from the
// database into its local cache, and a damaged chunk in the database is refused.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boot, bootWorkspace, type Backend } from '../../main/root/boot'
import { compactLabels, type LabelledRow } from '../../main/services/project-labelled'
// Every file under a folder, '/'-separated, subfolders (tokenizer/) included.
import { filesUnder } from '../../main/services/runs-service'
import { dataSnapshotHash, prepareSplits, resolveHyper } from '../../main/services/training-service'
import { openPgDatabase, type PgDatabase } from '../../main/store/pg/pg-database'
import { teamRunsDir } from '../../main/store/run-artifacts'
import { parseTeamUrl, writeTeamBinding } from '../../main/store/team-binding'
import { openWorkspace } from '../../main/store/workspace'
import type { SecretStore } from '../../main/shared/secret-store'
import type { CallEnvelope } from '../../preload/contract'
import type { TextPredictionDto } from '../../preload/contract/predict'
import type { ProjectDto } from '../../preload/contract/projects'
import type { ReportExportDto } from '../../preload/contract/reports'
import type { RunDto } from '../../preload/contract/training'
import { call } from './faults-fixture'
import { createTestDatabase, TEMPLATE_ENV } from './pg-server'

/** The smallest training the service tests use: the baseline, 3 epochs, batch 8, CPU. */
const CONFIG = { model: 'baseline', epochs: 3, batchSize: 8, seed: 5, device: 'cpu' as const }
/** Texts only labelled after the training started: the "more labels" the hash must not include. */
const LATE = 4

const fixture = fileURLToPath(new URL('../fixtures/train/bilingual-health.csv', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'cts-team-training-'))
let database: { url: string; drop(): Promise<void> }
let sql: PgDatabase
let a: Backend
let b: Backend
let labeller: Backend
let project: ProjectDto
let textIds: number[]
let run: RunDto

/** A new folder bound to the test database, booted; the password as the app keeps it (a keychain). */
async function computer(name: string): Promise<Backend> {
  const home = join(tmp, name)
  mkdirSync(home)
  const url = new URL(database.url)
  const password = decodeURIComponent(url.password)
  url.password = ''
  writeTeamBinding(home, { url: url.toString(), boundAt: new Date().toISOString() })
  const secrets: SecretStore = {
    where: 'the test keychain',
    get: async () => password,
    set: async () => {},
    delete: async () => false,
  }
  return boot({ home, actor: 'lead', secrets })
}

/** A computer's local cache of the team's run files (keyed by the server, never <home>/runs). */
function cacheOf(name: string): string {
  return teamRunsDir(join(tmp, name), parseTeamUrl(database.url).target)
}

/** The project's labels as of history id `upTo`: each text's newest history entry at or below it. */
async function labelsAsOf(upTo: number): Promise<LabelledRow[]> {
  const entries = await sql.rows<{ text_id: number; after_label_ids: string }>(
    `SELECT DISTINCT ON (text_id) text_id, after_label_ids FROM annotation_history
      WHERE project_id = $1 AND id <= $2 ORDER BY text_id, id DESC`,
    [project.id, upTo],
  )
  const texts = new Map(
    (
      await sql.rows<{ id: number; text: string; group_id: string | null; split: string | null }>(
        'SELECT id, text, group_id, split FROM texts WHERE project_id = $1',
        [project.id],
      )
    ).map((t) => [t.id, t]),
  )
  const position = new Map(project.labels.map((l, i) => [l.id, i]))
  return entries
    .map((e) => ({ textId: e.text_id, ids: JSON.parse(e.after_label_ids) as number[] }))
    .filter((e) => e.ids.length === 1)
    .sort((x, y) => x.textId - y.textId)
    .map(({ textId, ids }) => {
      const t = texts.get(textId)!
      return {
        id: t.id,
        text: t.text,
        grp: t.group_id,
        split: t.split,
        label: position.get(ids[0])!,
      }
    })
}

/** The data hash a run with CONFIG records for these rows (the service's own split and hash). */
function hashOf(rows: LabelledRow[]): string {
  const { labels, of } = compactLabels(
    rows,
    project.labels.map((l) => l.name),
  )
  const splits = prepareSplits(
    { projectId: project.id, labels, train: of(rows) },
    resolveHyper(CONFIG).seed,
    undefined,
    { allTrainWithDevFile: false },
  )
  return dataSnapshotHash(labels, { train: splits.train, dev: splits.dev, test: splits.test })
}

async function finished(backend: Backend, runId: number): Promise<RunDto> {
  for (let waited = 0; waited < 240_000; waited += 200) {
    const r = await call<RunDto>(backend, 'runs/get', { runId })
    if (r.status !== 'running') return r
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`run ${runId} did not finish`)
}

/** A project labelled 健康/疾病 holding the fixture's texts (unlabelled: labels come from history). */
async function fixtureProject(backend: Backend, name: string): Promise<ProjectDto> {
  const p = await call<ProjectDto>(backend, 'projects/create', {
    name,
    kind: 'multiclass',
    labels: ['健康', '疾病'],
  })
  await call(backend, 'datasets/import', {
    projectId: p.id,
    file: { path: fixture },
    mapping: { text: 'text' },
  })
  return p
}

beforeAll(async () => {
  database = await createTestDatabase(undefined, undefined, process.env[TEMPLATE_ENV])
  sql = await openPgDatabase(database.url, { max: 2 })
  a = await computer('a')
  labeller = await computer('labeller')
  project = await fixtureProject(a, 'Team training 团队训练')
  // The model in the loop would train on its own while the labeller works: not what is tested.
  await call(a, 'loop/settings', { projectId: project.id, enabled: false })
  textIds = (
    await sql.rows<{ id: number }>('SELECT id FROM texts WHERE project_id = $1 ORDER BY id', [
      project.id,
    ])
  ).map((r) => r.id)
  // The fixture's own labels first, so the model learns something real.
  const given = (parse(readFileSync(fixture), { columns: true }) as { label: string }[]).map(
    (r) => project.labels.find((l) => l.name === r.label)!.id,
  )
  for (let i = 0; i < textIds.length - LATE; i++)
    await call(labeller, 'labels/set', { textId: textIds[i], labelIds: [given[i]] })
}, 120_000)

afterAll(async () => {
  await a?.shutdown()
  await b?.shutdown()
  await labeller?.shutdown()
  await sql?.close()
  await database?.drop()
  rmSync(tmp, { recursive: true, force: true })
})

describe('training on a team workspace (issue #17 point 6)', () => {
  it('records the snapshot it trained on while another client labels, and its hash recomputes exactly', async () => {
    const early = textIds.slice(0, textIds.length - LATE)
    const late = textIds.slice(textIds.length - LATE)
    let stop = false
    let started = false
    const written: number[] = []
    // Two writers at once on the labeller's computer (two pooled connections), each its own texts:
    // labels flip without pause before, during and after the snapshot.
    const writer = async (mine: number[], offset: number) => {
      for (let k = 0; !stop; k++) {
        const pool = started ? [...mine, ...late.filter((_, i) => i % 2 === offset)] : mine
        const textId = pool[k % pool.length]
        const label = project.labels[(k + offset) % 2].id
        const r = await call<{ revision: number }>(labeller, 'labels/set', {
          textId,
          labelIds: [label],
        })
        written.push(r.revision)
      }
    }
    const writers = [
      writer(
        early.filter((_, i) => i % 2 === 0),
        0,
      ),
      writer(
        early.filter((_, i) => i % 2 === 1),
        1,
      ),
    ]
    while (written.length < 20) await new Promise((resolve) => setTimeout(resolve, 20))
    const before = written.length
    const { runId } = await call<{ runId: number }>(a, 'training/start', {
      projectId: project.id,
      config: CONFIG,
    })
    started = true
    const during = written.length - before
    // Keep labelling until the late texts carry labels and the run has ended.
    run = await finished(a, runId)
    while (written.length < before + during + 20) await new Promise((r) => setTimeout(r, 20))
    stop = true
    await Promise.all(writers)

    expect(run.status).toBe('success')
    expect(during).toBeGreaterThan(0)
    const snapshot = run.labelSnapshot!
    expect(snapshot.historyId).toBeGreaterThan(0)
    expect(snapshot.takenAt <= run.createdAt).toBe(true)
    const newest = (await sql.row<{ id: number }>(
      'SELECT MAX(id) AS id FROM annotation_history WHERE project_id = $1',
      [project.id],
    ))!.id
    // Labels kept coming after the snapshot…
    expect(newest).toBeGreaterThan(snapshot.historyId)
    // …and the run's data is exactly the labels as of its recorded history id.
    const asOf = await labelsAsOf(snapshot.historyId)
    expect(asOf.some((r) => late.includes(r.id))).toBe(false)
    expect(hashOf(asOf)).toBe(run.dataHash)
    // More labels (the late texts among them): a different snapshot, a different hash.
    const now = await labelsAsOf(newest)
    expect(now.filter((r) => late.includes(r.id)).length).toBe(LATE)
    expect(hashOf(now)).not.toBe(run.dataHash)
    // What the train job got is that snapshot too: the same texts in dataset.json.
    const dataset = JSON.parse(
      readFileSync(join(cacheOf('a'), String(runId), 'dataset.json'), 'utf8'),
    ) as { train: { ids: number[] }; dev: { ids: number[] }; test: { ids: number[] } }
    const trained = [...dataset.train.ids, ...dataset.dev.ids, ...dataset.test.ids].sort(
      (x, y) => x - y,
    )
    expect(trained).toEqual(asOf.map((r) => r.id))
  }, 300_000)

  it('shows the run, its epochs, metrics and report on a second computer', async () => {
    b = await computer('b')
    const listed = await call<RunDto[]>(b, 'runs/list', { projectId: project.id })
    expect(listed.map((r) => r.id)).toEqual([run.id])
    const seen = await call<RunDto>(b, 'runs/get', { runId: run.id })
    expect(seen).toEqual(run)
    expect(seen.epochs.length).toBeGreaterThan(0)
    expect(seen.test!.macro_f1).toBe(run.test!.macro_f1)
    expect(seen.labelSnapshot).toEqual(run.labelSnapshot)
    // The report, written on B from what the database holds, is A's report (its time aside).
    const report = async (backend: Backend) => {
      const r = await call<ReportExportDto>(backend, 'reports/export', {
        runId: run.id,
        format: 'html',
      })
      return Buffer.from(r.contentBase64!, 'base64')
        .toString('utf8')
        .replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    }
    const fromB = await report(b)
    expect(fromB).toBe(await report(a))
    expect(fromB).toContain(run.dataHash)
    expect(fromB).toContain(
      `<dt>Labels as of</dt><dd>label history entry #${run.labelSnapshot!.historyId}, read <time></dd>`,
    )
  }, 120_000)

  it('stores the run files in the database and predicts with them on the second computer', async () => {
    // A trained into its team cache, not into the folder's local workspace (runs/).
    const dirA = join(cacheOf('a'), String(run.id))
    expect(existsSync(join(tmp, 'a', 'runs', String(run.id)))).toBe(false)
    const stored = await sql.rows<{ path: string; size: number }>(
      'SELECT path, size FROM run_artifacts WHERE run_id = $1 ORDER BY path',
      [run.id],
    )
    // Every file A's run folder holds but its checkpoints, in subfolders too.
    expect(stored.map((f) => f.path)).toEqual(
      filesUnder(dirA).filter((p) => !p.startsWith('checkpoints/')),
    )
    expect(stored.map((f) => f.size)).toEqual(
      stored.map((f) => readFileSync(join(dirA, f.path)).length),
    )
    // B's folder holds a local workspace's run with the same id (kept across connect/disconnect),
    // and its cache holds files that are not the run's (another run once had this id).
    const localB = join(tmp, 'b', 'runs', String(run.id))
    mkdirSync(localB, { recursive: true })
    writeFileSync(join(localB, 'model.json'), '{"local":"本地"}')
    const dirB = join(cacheOf('b'), String(run.id))
    mkdirSync(join(dirB, 'tokenizer'), { recursive: true })
    writeFileSync(join(dirB, 'stale.json'), 'not this run')
    writeFileSync(join(dirB, 'tokenizer', 'vocab.txt'), '旧 old')
    const texts = ['severe chest pain with shortness of breath', '体检正常，身体健康']
    for (const text of texts) {
      const fromA = await call<TextPredictionDto>(a, 'predict/text', { runId: run.id, text })
      const fromB = await call<TextPredictionDto>(b, 'predict/text', { runId: run.id, text })
      expect(fromB.label).toBe(fromA.label)
      expect(fromB.probabilities.map((p) => p.label)).toEqual(run.labels)
      fromB.probabilities.forEach((p, i) => {
        expect(Math.abs(p.p - fromA.probabilities[i].p)).toBeLessThan(1e-6)
      })
    }
    // B's local cache holds exactly the stored files, byte for byte, and nothing else.
    expect(filesUnder(dirB)).toEqual(stored.map((f) => f.path))
    expect(filesUnder(localB)).toEqual(['model.json'])
    expect(readFileSync(join(localB, 'model.json'), 'utf8')).toBe('{"local":"本地"}')
    for (const f of stored)
      expect(readFileSync(join(dirB, f.path)).equals(readFileSync(join(dirA, f.path)))).toBe(true)
    // A changed local copy is checked before use and replaced by the stored file.
    const cached = join(dirB, 'test-predictions.json')
    const original = readFileSync(cached)
    const changed = Buffer.from(original)
    changed[10] ^= 1
    writeFileSync(cached, changed)
    await call(b, 'reports/export', { runId: run.id, format: 'html' })
    expect(readFileSync(cached).equals(original)).toBe(true)
  }, 120_000)

  it('refuses a run whose stored chunk was damaged, and uses none of its files', async () => {
    await sql.run(
      `UPDATE run_artifact_chunks SET data = set_byte(data, 7, get_byte(data, 7) # 1)
        WHERE run_id = $1 AND path = 'model.onnx' AND seq = 0`,
      [run.id],
    )
    const c = await computer('c')
    try {
      const env = (await c.dispatch('predict/text', {
        runId: run.id,
        text: 'routine checkup normal and healthy',
      })) as CallEnvelope<TextPredictionDto>
      expect(env.ok).toBe(false)
      if (env.ok) return
      expect(env.error.code).toBe('run-artifact-damaged')
      expect(env.error.message).toBe(
        `Run ${run.id}'s file model.onnx in the team workspace is damaged (its sha256 does not match); it was not used. Train the run again, or ask the team's database administrator to restore the database from a backup.`,
      )
      // Nothing of the run entered C's folder (the checked files stayed in a removed staging one).
      expect(readdirSync(cacheOf('c'))).toEqual([])
      // The report needs the same files: refused the same way.
      const report = (await c.dispatch('reports/export', {
        runId: run.id,
        format: 'html',
      })) as CallEnvelope<unknown>
      expect(report.ok ? null : report.error.code).toBe('run-artifact-damaged')
    } finally {
      await c.shutdown()
    }
    // B's copy was checked against the recorded sha256 when it was fetched and still matches it.
    expect(existsSync(join(cacheOf('b'), String(run.id), 'model.onnx'))).toBe(true)
  }, 120_000)

  it('refuses a stored name outside the run folder and a missing chunk, writing nothing', async () => {
    const d = await computer('d')
    const refused = async () => {
      const env = (await d.dispatch('predict/text', {
        runId: run.id,
        text: 'routine checkup normal and healthy',
      })) as CallEnvelope<TextPredictionDto>
      return env.ok ? null : env.error
    }
    try {
      await sql.run(
        `INSERT INTO run_artifacts (run_id, path, size, sha256, chunks, stored_at)
           VALUES ($1, '../escape.txt', 1, $2, 0, 'now')`,
        [run.id, '0'.repeat(64)],
      )
      expect((await refused())?.message).toBe(
        `Run ${run.id}'s file ../escape.txt in the team workspace is damaged (its name points outside the run folder); it was not used. Train the run again, or ask the team's database administrator to restore the database from a backup.`,
      )
      expect(existsSync(join(cacheOf('d'), 'escape.txt'))).toBe(false)
      await sql.run(`DELETE FROM run_artifacts WHERE run_id = $1 AND path = '../escape.txt'`, [
        run.id,
      ])
      // dataset.json comes before the damaged model.onnx: its missing chunk is what is refused.
      await sql.run(
        `DELETE FROM run_artifact_chunks WHERE run_id = $1 AND path = 'dataset.json' AND seq = 0`,
        [run.id],
      )
      const missing = await refused()
      expect(missing?.code).toBe('run-artifact-damaged')
      expect(missing?.message).toBe(
        `Run ${run.id}'s file dataset.json in the team workspace is damaged (chunk 1 is missing); it was not used. Train the run again, or ask the team's database administrator to restore the database from a backup.`,
      )
      expect(readdirSync(cacheOf('d'))).toEqual([])
    } finally {
      await d.shutdown()
    }
  }, 120_000)
})

describe('the label snapshot on a local (SQLite) workspace', () => {
  it('reads the labelled texts and the newest history id together', async () => {
    const home = join(tmp, 'local')
    mkdirSync(home)
    const ws = openWorkspace(home)
    const local = bootWorkspace(ws, { actor: 'solo' })
    try {
      const p = await fixtureProject(local, '本地 local')
      const ids = (
        ws.db.prepare('SELECT id FROM texts WHERE project_id = ? ORDER BY id').all(p.id) as {
          id: number
        }[]
      ).map((r) => r.id)
      for (const [i, textId] of ids.slice(0, 3).entries())
        await call(local, 'labels/set', { textId, labelIds: [p.labels[i % 2].id] })
      const { historyId, takenAt, ...labelled } = await ws.repos.texts.labelledSnapshot(p.id)
      const newest = ws.db.prepare('SELECT MAX(id) AS id FROM annotation_history').get() as {
        id: number
      }
      expect(historyId).toBe(newest.id)
      expect(Number.isNaN(Date.parse(takenAt))).toBe(false)
      expect(labelled).toEqual(await ws.repos.texts.singleLabelled(p.id))
      expect(labelled.rows.map((r) => [r.id, r.label])).toEqual([
        [ids[0], 0],
        [ids[1], 1],
        [ids[2], 0],
      ])
    } finally {
      await local.shutdown()
    }
  })
})
