// Issue #17 point 4: 10 clients × 1,000 labels at once on one project of a team workspace. Each
// client is its own process on its own folder bound to the same database (like ten clinicians'
// computers) and labels through the contract (labels/set, undo, redo) on 300 shared texts.
// Afterwards: every acknowledged label is its annotator's stored label, nobody's rows changed by
// another, every client lists the same per-text history, and the one audit chain verifies.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boot, type Backend } from '../../main/root/boot'
import { openPgDatabase, type PgDatabase } from '../../main/store/pg/pg-database'
import { writeTeamBinding } from '../../main/store/team-binding'
import type { CallEnvelope } from '../../preload/contract'
import type { ProjectDto } from '../../preload/contract/projects'
import type { Ack, ClientResult } from './concurrency-client'
import { createTestDatabase, TEMPLATE_ENV } from './pg-server'

const CLIENTS = 10
const WRITES = 1000
const TEXTS = 300
/** Texts whose history every client reads back: every 10th. */
const SAMPLE_EVERY = 10
/** [sets, undos, redos, all] that changed something: what the fixed call sequence must produce. */
const PINNED_CHANGES = [8390, 1000, 190, 9580]
const CLIENT_SCRIPT = fileURLToPath(new URL('./concurrency-client.ts', import.meta.url))

const tmp = mkdtempSync(join(tmpdir(), 'cts-10x1000-'))
let database: { url: string; drop(): Promise<void> }
let sql: PgDatabase
let lead: Backend
let project: ProjectDto
let textIds: number[]
const savedEnv = { PGPASSFILE: process.env.PGPASSFILE, CTS: process.env.CTS_TEAM_CREDENTIALS }

async function call<T>(backend: Backend, name: string, args: unknown): Promise<T> {
  const env = (await backend.dispatch(name, args)) as CallEnvelope<T>
  if (!env.ok) throw new Error(`${name}: ${JSON.stringify(env.error)}`)
  return env.value
}

/** Binds a new folder to the test database, as `cts workspace connect` does (no password in it). */
function bindFolder(name: string): string {
  const home = join(tmp, name)
  mkdirSync(home)
  const url = new URL(database.url)
  url.password = ''
  writeTeamBinding(home, { url: url.toString(), boundAt: new Date().toISOString() })
  return home
}

beforeAll(async () => {
  database = await createTestDatabase(undefined, undefined, process.env[TEMPLATE_ENV])
  const url = new URL(database.url)
  // The password reaches every client the way a clinician's CLI finds it: a 0600 pgpass file.
  const pgpass = join(tmp, 'pgpass')
  writeFileSync(
    pgpass,
    `${url.hostname}:${url.port}:${url.pathname.slice(1)}:${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}\n`,
    { mode: 0o600 },
  )
  // Set in this test file's worker only (and put back afterwards); the clients inherit them.
  process.env.PGPASSFILE = pgpass
  process.env.CTS_TEAM_CREDENTIALS = join(tmp, 'no-credentials.json')
  sql = await openPgDatabase(database.url, { max: 2 })

  lead = await boot({ home: bindFolder('lead'), actor: 'lead' })
  project = await call<ProjectDto>(lead, 'projects/create', {
    name: 'Concurrency 并发',
    kind: 'multiclass',
    labels: ['咳嗽 cough', '发热 fever', '正常 normal'],
  })
  const csv = join(tmp, 'texts.csv')
  const rows = Array.from({ length: TEXTS }, (_, i) =>
    i % 2 ? `Patient ${i} reports a dry cough.` : `患者${i}号发热三天。`,
  )
  writeFileSync(csv, ['text', ...rows].join('\n') + '\n')
  await call(lead, 'datasets/import', {
    projectId: project.id,
    file: { path: csv },
    mapping: { text: 'text' },
  })
  // The model in the loop would start training jobs while the clients label: not what is measured.
  await call(lead, 'loop/settings', { projectId: project.id, enabled: false })
  textIds = (
    await sql.rows<{ id: number }>('SELECT id FROM texts WHERE project_id = $1 ORDER BY id', [
      project.id,
    ])
  ).map((r) => r.id)
}, 120_000)

afterAll(async () => {
  for (const [key, value] of [
    ['PGPASSFILE', savedEnv.PGPASSFILE],
    ['CTS_TEAM_CREDENTIALS', savedEnv.CTS],
  ] as const) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  await lead?.shutdown()
  await sql?.close()
  await database?.drop()
  rmSync(tmp, { recursive: true, force: true })
})

interface Client {
  child: ChildProcess
  /** Resolves with the next line the client prints. */
  next(): Promise<string>
  stderr: string[]
}

function startClient(c: number, sample: number[]): Client {
  const args = {
    home: bindFolder(`client-${c}`),
    out: join(tmp, `client-${c}.json`),
    client: c,
    annotator: `annotator-${c}`,
    projectId: project.id,
    textIds,
    labelIds: project.labels.map((l) => l.id),
    writes: WRITES,
    sample,
  }
  const child = spawn(process.execPath, ['--import', 'tsx', CLIENT_SCRIPT, JSON.stringify(args)], {
    env: { ...process.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const stderr: string[] = []
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()))
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code) =>
      resolve(`client ${c} exited (${code}): ${stderr.join('').slice(-2000)}`),
    ),
  )
  return {
    child,
    stderr,
    async next() {
      const line = lines.next().then((r) => (r.done ? 'eof' : r.value.trim()))
      const got = await Promise.race([line, exited.then((m) => `error ${m}`)])
      if (got.startsWith('error') || got === 'eof')
        throw new Error(`${got} ${stderr.join('').slice(-2000)}`)
      return got
    },
  }
}

async function everyClient(clients: Client[], word: string): Promise<void> {
  const got = await Promise.all(clients.map((c) => c.next()))
  expect(got).toEqual(clients.map(() => word))
}

describe('10 clients × 1,000 labels on one team project (issue #17 point 4)', () => {
  it('loses nothing, overwrites nobody, and every client reads the same history', async () => {
    const sample = textIds.filter((_, i) => i % SAMPLE_EVERY === 0)
    const clients = Array.from({ length: CLIENTS }, (_, c) => startClient(c, sample))
    try {
      const spawned = Date.now()
      await everyClient(clients, 'ready')
      const t0 = Date.now()
      for (const c of clients) c.child.stdin!.write('go\n')
      await everyClient(clients, 'done')
      const labellingMs = Date.now() - t0
      for (const c of clients) c.child.stdin!.write('read\n')
      await everyClient(clients, 'finished')
      const readingMs = Date.now() - t0 - labellingMs
      const results = clients.map(
        (_, c) => JSON.parse(readFileSync(join(tmp, `client-${c}.json`), 'utf8')) as ClientResult,
      )

      // Every call acknowledged or (undo/redo only) answered "nothing to do": 10 × 1,000.
      for (const r of results) expect(r.acks.length + r.nothing).toBe(WRITES)

      // What each annotator was last told, per text, and which acknowledgements changed something.
      const told = results.map(() => new Map<number, number[]>())
      const changes: { c: number; ack: Ack }[] = []
      results.forEach((r, c) => {
        let lastRevision = 0
        for (const ack of r.acks) {
          const before = told[c].get(ack.textId)
          const changed = ack.op !== 'set' || before === undefined || before[0] !== ack.labelIds[0]
          if (changed) {
            // A client's own changes get strictly increasing revisions (committed before the answer).
            expect(ack.revision).toBeGreaterThan(lastRevision)
            lastRevision = ack.revision
            changes.push({ c, ack })
          }
          // Undoing an annotator's first label of a text removes their row ([] is never set here).
          if (ack.labelIds.length === 0) told[c].delete(ack.textId)
          else told[c].set(ack.textId, ack.labelIds)
        }
      })

      // 1. Every acknowledged label is its annotator's stored label, and nothing else is stored.
      const stored = await sql.rows<{ text_id: number; annotator: string; label_ids: string }>(
        'SELECT text_id, annotator, label_ids FROM annotator_labels WHERE project_id = $1',
        [project.id],
      )
      results.forEach((_, c) => {
        const own = new Map(
          stored
            .filter((s) => s.annotator === `annotator-${c}`)
            .map((s) => [s.text_id, JSON.parse(s.label_ids) as number[]]),
        )
        expect(own).toEqual(told[c])
      })
      const annotators = new Set(stored.map((s) => s.annotator))
      expect([...annotators].sort()).toEqual(results.map((_, c) => `annotator-${c}`).sort())

      // 2. No annotation overwritten by another annotator's: each change is one history row of its
      // own annotator, with what that annotator was told, and there are no others.
      const history = await sql.rows<{
        id: number
        text_id: number
        annotator: string
        after_label_ids: string | null
      }>(
        'SELECT id, text_id, annotator, after_label_ids FROM annotation_history WHERE project_id = $1 ORDER BY id',
        [project.id],
      )
      const byId = new Map(history.map((h) => [h.id, h]))
      expect(history.length).toBe(changes.length)
      for (const { c, ack } of changes) {
        const h = byId.get(ack.revision)
        expect(h).toBeDefined()
        expect(h!.text_id).toBe(ack.textId)
        expect(h!.annotator).toBe(`annotator-${c}`)
        // An undo that removed the annotator's row records null; the service answers [].
        expect((JSON.parse(h!.after_label_ids ?? 'null') as number[] | null) ?? []).toEqual(
          ack.labelIds,
        )
      }

      // 3. Every client lists the same per-text history, and it is exactly the changes, in
      // revision order, each by its own annotator.
      for (const r of results) expect(r.history).toEqual(results[0].history)
      for (const textId of sample) {
        const expected = changes
          .filter((x) => x.ack.textId === textId)
          .sort((a, b) => a.ack.revision - b.ack.revision)
          .map((x) => ({
            actor: `annotator-${x.c}`,
            action: `label.${x.ack.op}`,
            labelIds: x.ack.labelIds,
            revision: x.ack.revision,
          }))
        const listed = (results[0].history[textId] ?? []).map((e) => {
          const d = e.details as { labelIds: number[]; revision: number }
          return { actor: e.actor, action: e.action, labelIds: d.labelIds, revision: d.revision }
        })
        expect(listed).toEqual(expected)
      }

      // 4. The one audit chain verifies on every client, with exactly one entry per change. The
      // calls are deterministic per annotator (only they change their own rows), so the counts are
      // too: 10,000 acknowledged (8,810 sets, 1,000 undos, 190 redos), 9,580 of them changes (the
      // other 420 sets repeat the annotator's own label), plus the lead's project.create and import.
      const total = await sql.row<{ n: number }>('SELECT COUNT(*)::int AS n FROM audit_log')
      const byAction = await sql.rows<{ action: string; n: number }>(
        'SELECT action, COUNT(*)::int AS n FROM audit_log GROUP BY action ORDER BY action',
      )
      const ofOp = (op: Ack['op']): number => changes.filter((x) => x.ack.op === op).length
      expect(Object.fromEntries(byAction.map((a) => [a.action, a.n]))).toEqual({
        import: 1,
        'label.redo': ofOp('redo'),
        'label.set': ofOp('set'),
        'label.undo': ofOp('undo'),
        'project.create': 1,
      })
      expect(results.reduce((n, r) => n + r.acks.length, 0)).toBe(CLIENTS * WRITES)
      expect([ofOp('set'), ofOp('undo'), ofOp('redo'), changes.length]).toEqual(PINNED_CHANGES)
      expect(total!.n).toBe(changes.length + 2)
      for (const r of results) {
        expect(r.labelEntries).toBe(changes.length)
        expect(r.verify).toEqual({
          entries: total!.n,
          intact: true,
          brokenAt: null,
          reason: null,
          problem: null,
        })
      }

      const sampled = sample.reduce((n, t) => n + (results[0].history[t]?.length ?? 0), 0)
      console.log(
        `10x1000: sets/undos/redos/changes ${JSON.stringify([ofOp('set'), ofOp('undo'), ofOp('redo'), changes.length])}, ${results.reduce((n, r) => n + r.acks.length, 0)} acknowledged, ${results.reduce((n, r) => n + r.nothing, 0)} nothing-to-undo, ${changes.length} changes = label entries, ${total!.n} audit entries, ${stored.length} stored rows, ${sample.length} sampled texts with ${sampled} history entries; start ${t0 - spawned} ms, labelling ${labellingMs} ms, reading ${readingMs} ms (slowest client ${Math.max(...results.map((r) => r.ms))} ms)`,
      )
    } finally {
      for (const c of clients) if (c.child.exitCode === null) c.child.kill()
    }
  }, 600_000)
})
