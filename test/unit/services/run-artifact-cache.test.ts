// A team workspace's local cache of run files (RunsService.localRunDir, issue #17 point 6) with an
// in-memory artifact store: stored names are checked, the folder is rebuilt whole (no leftovers),
// an ensemble's members are filled too and their places in model.json are checked. The store on a
// real PostgreSQL server is test/pg/team-training.test.ts.
import { createHash } from 'node:crypto'
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
import { afterEach, describe, expect, it } from 'vitest'
import { RunsService, isSafeArtifactPath } from '../../../main/services/runs-service'
import {
  damagedArtifact,
  teamRunsDir,
  type RunArtifactFile,
  type RunArtifactStore,
} from '../../../main/store/run-artifacts'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { BUNDLE_META, CtsError } from '../../../main/shared'

/** Run files kept in memory, fetched with the same size and sha256 check as the database's. */
class MemoryStore implements RunArtifactStore {
  readonly files = new Map<number, Map<string, Buffer>>()
  fetched: string[] = []

  set(runId: number, files: Record<string, string>): void {
    this.files.set(runId, new Map(Object.entries(files).map(([p, t]) => [p, Buffer.from(t)])))
  }

  async put(): Promise<RunArtifactFile[]> {
    throw new Error('not used here')
  }

  async list(runId: number): Promise<RunArtifactFile[]> {
    return [...(this.files.get(runId) ?? new Map<string, Buffer>())]
      .map(([path, data]) => ({ path, size: data.length, sha256: sha(data) }))
      .sort((x, y) => (x.path < y.path ? -1 : 1))
  }

  async fetch(runId: number, stored: RunArtifactFile, file: string): Promise<void> {
    this.fetched.push(`${runId}/${stored.path}`)
    const data = this.files.get(runId)!.get(stored.path)!
    writeFileSync(file, data)
    if (sha(data) !== stored.sha256)
      throw damagedArtifact(runId, stored.path, 'its sha256 does not match')
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

const open: { ws: Workspace; home: string }[] = []
afterEach(() => {
  for (const o of open.splice(0)) {
    o.ws.close()
    rmSync(o.home, { recursive: true, force: true })
  }
})

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'cts-run-cache-'))
  const ws = openWorkspace(home)
  open.push({ ws, home })
  const store = new MemoryStore()
  const cache = teamRunsDir(home, { host: 'db.example', port: 5432, database: 'team' })
  return { home, store, cache, runs: new RunsService(ws.repos, cache, undefined, store) }
}

/** Every file under a folder, '/'-separated, with its text. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue
    const rel = join(e.parentPath, e.name)
      .slice(dir.length + 1)
      .split('\\')
      .join('/')
    out[rel] = readFileSync(join(e.parentPath, e.name), 'utf8')
  }
  return out
}

async function refusal(p: Promise<unknown>): Promise<CtsError> {
  try {
    await p
  } catch (e) {
    if (e instanceof CtsError) return e
    throw e
  }
  throw new Error('not refused')
}

describe('a team workspace run cache', () => {
  it('lives apart from the local runs/ folder, one folder per server', () => {
    const home = '/home/dr/ws'
    const a = teamRunsDir(home, { host: 'DB.example', port: 5432, database: 'team' })
    expect(a).toMatch(/^\/home\/dr\/ws\/team-runs-[0-9a-f]{16}$/)
    expect(teamRunsDir(home, { host: 'db.example', port: 5432, database: 'team' })).toBe(a)
    expect(teamRunsDir(home, { host: 'db.example', port: 5433, database: 'team' })).not.toBe(a)
    expect(teamRunsDir(home, { host: 'db.example', port: 5432, database: 'team2' })).not.toBe(a)
    // The server's own identity wins over its address (another name for the same server).
    const fp = { host: 'x', port: 1, database: 'team', serverFingerprint: '7312/team' }
    expect(teamRunsDir(home, fp)).toBe(teamRunsDir(home, { ...fp, host: 'y', port: 2 }))
    expect(teamRunsDir(home, fp)).not.toBe(
      teamRunsDir(home, { ...fp, serverFingerprint: '9/team' }),
    )
  })

  it('replaces a folder holding another run’s leftovers by exactly the stored files', async () => {
    const { store, runs, home } = setup()
    store.set(3, { 'model.json': '{"诊断":1}', 'tokenizer/vocab.txt': 'a\nb' })
    const dir = runs.runDir(3)
    mkdirSync(join(dir, 'tokenizer'), { recursive: true })
    writeFileSync(join(dir, 'model.json'), '{"诊断":1}') // right: copied, not fetched
    writeFileSync(join(dir, 'tokenizer', 'vocab.txt'), 'old') // wrong: fetched
    writeFileSync(join(dir, 'tokenizer', 'merges.txt'), 'stale') // not the run's
    writeFileSync(join(dir, 'test-predictions.json'), 'stale')
    // The local workspace's run 3 (same id, the folder's own runs/) is not touched.
    mkdirSync(join(home, 'runs', '3'), { recursive: true })
    writeFileSync(join(home, 'runs', '3', 'model.json'), 'local')

    expect(await runs.localRunDir(3)).toBe(dir)
    expect(contents(dir)).toEqual({ 'model.json': '{"诊断":1}', 'tokenizer/vocab.txt': 'a\nb' })
    expect(store.fetched).toEqual(['3/tokenizer/vocab.txt'])
    expect(readFileSync(join(home, 'runs', '3', 'model.json'), 'utf8')).toBe('local')
    // No staging folder stays behind; a second call finds everything in place.
    expect(readdirSync(join(dir, '..'))).toEqual(['3'])
    store.fetched = []
    await runs.localRunDir(3)
    expect(store.fetched).toEqual([])
  })

  it('fills a run once when two callers ask at the same time', async () => {
    const { store, runs } = setup()
    store.set(8, { 'model.json': '{}', 'dataset.json': '{"texts":["胸痛"]}' })
    const dirs = await Promise.all([runs.localRunDir(8), runs.localRunDir(8)])
    expect(dirs).toEqual([runs.runDir(8), runs.runDir(8)])
    expect(store.fetched).toEqual(['8/dataset.json', '8/model.json'])
    expect(contents(runs.runDir(8))).toEqual({
      'model.json': '{}',
      'dataset.json': '{"texts":["胸痛"]}',
    })
  })

  it('keeps the trainer’s checkpoints and a run nobody stored', async () => {
    const { store, runs } = setup()
    store.set(4, { 'model.json': '{}' })
    mkdirSync(join(runs.runDir(4), 'checkpoints'), { recursive: true })
    writeFileSync(join(runs.runDir(4), 'model.json'), '{}')
    writeFileSync(join(runs.runDir(4), 'checkpoints', 'last.ckpt'), 'c')
    await runs.localRunDir(4)
    expect(contents(runs.runDir(4))).toEqual({ 'model.json': '{}', 'checkpoints/last.ckpt': 'c' })
    // Still training (or crashed): nothing stored, the local folder is used as it is.
    mkdirSync(runs.runDir(5), { recursive: true })
    writeFileSync(join(runs.runDir(5), 'dataset.json'), '{}')
    await runs.localRunDir(5)
    expect(contents(runs.runDir(5))).toEqual({ 'dataset.json': '{}' })
    expect(store.fetched).toEqual([])
  })

  it.each([
    '../escape.txt',
    'tokenizer/../../escape.txt',
    '/etc/passwd',
    'C:/Windows/x.dll',
    'a:b',
    'tokenizer\\..\\x',
    'nul',
    'COM1.txt',
    'model.',
    '',
    'tokenizer//x',
    './model.json',
  ])('refuses the stored name %j and writes nothing', async (bad) => {
    const { store, runs } = setup()
    store.set(6, { 'model.json': 'm', [bad]: 'x' })
    const e = await refusal(runs.localRunDir(6))
    expect(e.code).toBe('run-artifact-damaged')
    expect(e.message).toBe(
      `Run 6's file ${bad} in the team workspace is damaged (its name points outside the run folder); it was not used. Train the run again, or ask the team's database administrator to restore the database from a backup.`,
    )
    expect(store.fetched).toEqual([])
    expect(existsSync(runs.runDir(6))).toBe(false)
  })

  it('accepts the names a run folder holds', () => {
    for (const ok of [
      'model.json',
      'model.int8.onnx',
      'tokenizer/vocab.txt',
      '1_Pooling/config.json',
      'baseline-vocab.bin',
    ])
      expect(isSafeArtifactPath(ok)).toBe(true)
  })

  it('leaves the folder as it was when a stored file is damaged', async () => {
    const { store, runs } = setup()
    store.set(7, { 'a.json': 'new', 'b.json': 'new' })
    mkdirSync(runs.runDir(7), { recursive: true })
    writeFileSync(join(runs.runDir(7), 'a.json'), 'old')
    // The store answers with bytes that are not the ones it listed.
    const list = store.list.bind(store)
    store.list = async (id) =>
      (await list(id)).map((f) => (f.path === 'b.json' ? { ...f, sha256: '0'.repeat(64) } : f))
    const e = await refusal(runs.localRunDir(7))
    expect(e.code).toBe('run-artifact-damaged')
    expect(contents(runs.runDir(7))).toEqual({ 'a.json': 'old' })
    expect(readdirSync(join(runs.runDir(7), '..'))).toEqual(['7'])
  })

  it('fills an ensemble’s members and refuses a member placed outside its run folder', async () => {
    const { store, runs } = setup()
    const meta = (dir1: string) =>
      JSON.stringify({
        format: 'cts-ensemble/1',
        labels: ['健康', '疾病'],
        members: [
          { runId: 1, dir: dir1, weight: 0.5, kind: 'baseline', baseModel: 'baseline' },
          { runId: 2, dir: '../2', weight: 0.5, kind: 'bert', baseModel: 'minilm' },
        ],
      })
    store.set(1, { [BUNDLE_META]: 'one' })
    store.set(2, { [BUNDLE_META]: 'two' })
    store.set(9, { [BUNDLE_META]: meta('../1') })
    await runs.localRunDir(9)
    expect(contents(runs.runDir(1))).toEqual({ [BUNDLE_META]: 'one' })
    expect(contents(runs.runDir(2))).toEqual({ [BUNDLE_META]: 'two' })
    for (const bad of ['../../runs/1', '/tmp/1', '..\\..\\1', '../3', '1', 'C:\\1']) {
      store.set(10, { [BUNDLE_META]: meta(bad) })
      const e = await refusal(runs.localRunDir(10))
      expect(e.code).toBe('run-artifact-damaged')
      expect(e.message).toBe(
        `Run 10's model.json places its member run 1 at "${bad}", which is not that run's folder; the ensemble was not used. Build the ensemble again.`,
      )
    }
  })

  it('checks an ensemble’s member places on a local workspace too', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cts-run-cache-'))
    const ws = openWorkspace(home)
    open.push({ ws, home })
    const runs = new RunsService(ws.repos, ws.runsDir)
    mkdirSync(runs.runDir(5), { recursive: true })
    writeFileSync(
      join(runs.runDir(5), BUNDLE_META),
      JSON.stringify({
        format: 'cts-ensemble/1',
        labels: ['a', 'b'],
        members: [{ runId: 1, dir: '../../secrets', weight: 1, kind: 'baseline', baseModel: 'b' }],
      }),
    )
    expect((await refusal(runs.localRunDir(5))).code).toBe('run-artifact-damaged')
  })
})
