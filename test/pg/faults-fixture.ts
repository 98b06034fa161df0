// The team for the fault tests (issue #17 point 5): a server of the test file's OWN (it gets
// restarted or stopped — never the suite's shared one), a lead who creates a bilingual project, and
// clients, each its own folder bound to the server and booted through the composition root.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { boot, type Backend } from '../../main/root/boot'
import type { SecretStore } from '../../main/shared/secret-store'
import { openPgDatabase, type PgDatabase } from '../../main/store/pg/pg-database'
import { writeTeamBinding } from '../../main/store/team-binding'
import type { CallEnvelope } from '../../preload/contract'
import type { AuditVerifyDto } from '../../preload/contract/audit'
import type { AnnotationDto } from '../../preload/contract/labels'
import type { ProjectDto } from '../../preload/contract/projects'
import type { TeamConnectionDto, WorkspaceStatusDto } from '../../preload/contract/workspace'
import { startTestPostgres, type TestPostgres } from './pg-server'

/** One labels/set call: what was asked, and what came back (or how it failed), and how long. */
export interface Outcome {
  client: string
  textId: number
  labelIds: number[]
  ok: boolean
  revision?: number
  code?: string
  message?: string
  /** When the call started and how long it took (ms). */
  at: number
  ms: number
}

export interface FaultClient {
  name: string
  backend: Backend
  /** Every 'workspace/connection' event this client's root published, in order. */
  events: TeamConnectionDto[]
  /** The connection state the status reports now. */
  connection(): Promise<TeamConnectionDto | undefined>
  /** labels/set as this client's annotator; never throws. */
  label(textId: number, labelIds: number[]): Promise<Outcome>
}

export interface FaultTeam {
  server: TestPostgres
  project: ProjectDto
  textIds: number[]
  labelIds: number[]
  client(name: string): Promise<FaultClient>
  /** A fresh connection for the assertions (open it after the fault). */
  sql(): Promise<PgDatabase>
  close(): Promise<void>
}

export async function call<T>(backend: Backend, name: string, args: unknown): Promise<T> {
  const env = (await backend.dispatch(name, args)) as CallEnvelope<T>
  if (!env.ok) throw new Error(`${name}: ${JSON.stringify(env.error)}`)
  return env.value
}

/** Starts a server and a project of `texts` notes (English and Chinese), the loop switched off. */
export async function startFaultTeam(texts: number): Promise<FaultTeam> {
  const server = await startTestPostgres()
  const tmp = mkdtempSync(join(tmpdir(), 'cts-faults-'))
  const url = new URL(server.url)
  const password = decodeURIComponent(url.password)
  url.password = ''
  // The password as the app keeps it (a keychain), never in the folder.
  const secrets: SecretStore = {
    where: 'the test keychain',
    get: async () => password,
    set: async () => {},
    delete: async () => false,
  }
  const backends: Backend[] = []
  const bootFolder = async (name: string, publish?: (c: TeamConnectionDto) => void) => {
    const home = join(tmp, name)
    mkdirSync(home)
    writeTeamBinding(home, { url: url.toString(), boundAt: new Date().toISOString() })
    const backend = await boot({
      home,
      actor: name,
      secrets,
      publish: (event, payload) => {
        if (event === 'workspace/connection') publish?.(payload as TeamConnectionDto)
      },
    })
    backends.push(backend)
    return backend
  }

  const lead = await bootFolder('lead')
  const project = await call<ProjectDto>(lead, 'projects/create', {
    name: 'Faults 故障',
    kind: 'multiclass',
    labels: ['咳嗽 cough', '发热 fever', '正常 normal'],
  })
  const csv = join(tmp, 'texts.csv')
  const rows = Array.from({ length: texts }, (_, i) =>
    i % 2 ? `Patient ${i} reports a dry cough.` : `患者${i}号发热三天。`,
  )
  writeFileSync(csv, ['text', ...rows].join('\n') + '\n')
  await call(lead, 'datasets/import', {
    projectId: project.id,
    file: { path: csv },
    mapping: { text: 'text' },
  })
  // The model in the loop would start training jobs while the clients label: not what is tested.
  await call(lead, 'loop/settings', { projectId: project.id, enabled: false })
  const sql = await openPgDatabase(server.url, { max: 1 })
  const textIds = (
    await sql.rows<{ id: number }>('SELECT id FROM texts WHERE project_id = $1 ORDER BY id', [
      project.id,
    ])
  ).map((r) => r.id)
  await sql.close()

  return {
    server,
    project,
    textIds,
    labelIds: project.labels.map((l) => l.id),
    async client(name) {
      const events: TeamConnectionDto[] = []
      const backend = await bootFolder(name, (c) => events.push(c))
      return {
        name,
        backend,
        events,
        connection: async () =>
          (await call<WorkspaceStatusDto>(backend, 'workspace/status', {})).team?.connection,
        async label(textId, labelIds) {
          const at = Date.now()
          const env = (await backend.dispatch('labels/set', {
            textId,
            labelIds,
            annotator: name,
          })) as CallEnvelope<AnnotationDto>
          const ms = Date.now() - at
          return env.ok
            ? { client: name, textId, labelIds, ok: true, revision: env.value.revision, at, ms }
            : {
                client: name,
                textId,
                labelIds,
                ok: false,
                code: env.error.code,
                message: env.error.message,
                at,
                ms,
              }
        },
      }
    },
    sql: () => openPgDatabase(server.url, { max: 2 }),
    async close() {
      for (const b of backends) await b.shutdown().catch(() => undefined)
      await server.stop()
      rmSync(tmp, { recursive: true, force: true })
    },
  }
}

/**
 * What the database must hold afterwards: every acknowledged label, at its acknowledged revision,
 * with its text, annotator and labels; and nothing else but the refused calls whose COMMIT reached
 * the server before the connection died (told "not saved", yet committed: no client can know) —
 * each extra history row matches a refused call, and no call is there twice. One label.set audit
 * entry per history row, and the audit chain intact.
 */
export async function expectAcknowledgedNeverTwice(
  team: FaultTeam,
  outcomes: Outcome[],
  verifier: Backend,
): Promise<{ refusedButCommitted: number }> {
  const acked = outcomes.filter((o) => o.ok)
  const sql = await team.sql()
  let history: { id: number; text_id: number; annotator: string; after_label_ids: string | null }[]
  try {
    history = await sql.rows(
      'SELECT id, text_id, annotator, after_label_ids FROM annotation_history WHERE project_id = $1 ORDER BY id',
      [team.project.id],
    )
    const byId = new Map(history.map((h) => [h.id, h]))
    const what = (h: (typeof history)[number]) => [
      h.text_id,
      h.annotator,
      JSON.parse(h.after_label_ids ?? 'null') as unknown,
    ]
    for (const o of acked) {
      const h = byId.get(o.revision!)
      expect(h, `acknowledged revision ${o.revision} of ${o.client}`).toBeDefined()
      expect(what(h!)).toEqual([o.textId, o.client, o.labelIds])
    }
    // Each extra row is claimed by one refused call with the same text, annotator and labels.
    const ackedIds = new Set(acked.map((o) => o.revision))
    const unclaimed = outcomes.filter((o) => !o.ok)
    for (const h of history.filter((row) => !ackedIds.has(row.id))) {
      const i = unclaimed.findIndex(
        (o) => JSON.stringify([o.textId, o.client, o.labelIds]) === JSON.stringify(what(h)),
      )
      expect(i, `history row ${h.id} (${JSON.stringify(what(h))}) matches a refused call`).not.toBe(
        -1,
      )
      unclaimed.splice(i, 1)
    }
    const audit = await sql.rows<{ action: string; n: number }>(
      'SELECT action, COUNT(*)::int AS n FROM audit_log GROUP BY action ORDER BY action',
    )
    expect(Object.fromEntries(audit.map((a) => [a.action, a.n]))).toEqual({
      import: 1,
      'label.set': history.length,
      'project.create': 1,
    })
  } finally {
    await sql.close()
  }
  const verify = await call<AuditVerifyDto>(verifier, 'audit/verify', {})
  expect(verify).toEqual({
    entries: history.length + 2,
    intact: true,
    brokenAt: null,
    reason: null,
    problem: null,
  })
  return { refusedButCommitted: history.length - acked.length }
}

/** The next label for a text that differs from the one this client last set on it. */
export function nextLabel(told: Map<number, number>, textId: number, labelIds: number[]): number {
  const last = told.get(textId)
  const i = last === undefined ? 0 : (labelIds.indexOf(last) + 1) % labelIds.length
  return labelIds[i]
}
