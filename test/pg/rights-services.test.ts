// Issue #17 point 3 through the service path: text_assignments follow projectAssignment on both
// backends after every change that can move them; on a team workspace each member boots the
// composition root with their own login, and an annotator lists and labels exactly their texts,
// as themselves, while every lead's step is refused with nothing changed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bootWorkspace, type Backend } from '../../main/root/boot'
import { assignmentRows, projectAssignment } from '../../main/services/annotation-assignment'
import { openTeamWorkspace, type TeamWorkspace } from '../../main/store/pg/open-team'
import { openWorkspace } from '../../main/store/workspace'
import { parseTeamUrl } from '../../main/store/team-binding'
import type { SecretStore } from '../../main/shared/secret-store'
import type { Repositories } from '../../main/store/repositories'
import type { SourceRecord } from '../../main/data/types'
import type { CallEnvelope } from '../../preload/contract'
import type { AnnotationSettingsDto } from '../../preload/contract/annotators'
import { BACKENDS, pgSql, sqliteSql, type BackendName, type RawSql } from './backends'
import { pgTestWorkspace } from './pg-workspace'
import { makeTeam, type Team, type TeamLogin } from './rights-fixture'
import { anyFile, ArrayReader, textMapping } from '../unit/services/test-reader'

const quiet = { log: () => {} }

/** A call's value, or the failure as { code, message } (the envelope's error). */
async function call<T = unknown>(backend: Backend, name: string, args: unknown): Promise<T> {
  const env = (await backend.dispatch(name, args, quiet)) as CallEnvelope<T>
  if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code })
  return env.value
}

async function refused(
  backend: Backend,
  name: string,
  args: unknown,
): Promise<{ code: string; message: string }> {
  const env = (await backend.dispatch(name, args, quiet)) as CallEnvelope<unknown>
  if (env.ok) throw new Error(`${name} was expected to be refused`)
  return { code: env.error.code, message: env.error.message }
}

/** Bilingual notes, `from` numbering the first (content differs, so hashes differ). */
function notes(n: number, from = 1): SourceRecord[] {
  const kinds = ['胸痛 chest pain', 'cough 咳嗽', 'fever 发热', 'headache 头痛']
  return Array.from({ length: n }, (_, i) => ({
    row: i + 2,
    text: `Note ${from + i}: ${kinds[(from + i) % kinds.length]} 第${from + i}天`,
  }))
}

type Row = { textId: number; annotator: string }
const byTextThenName = (a: Row, b: Row) =>
  a.textId - b.textId || (a.annotator < b.annotator ? -1 : a.annotator > b.annotator ? 1 : 0)

/** The project's stored assignment rows, sorted. */
async function storedRows(raw: RawSql, projectId: number): Promise<Row[]> {
  const rows = await raw.all<Row>(
    'SELECT text_id AS "textId", annotator FROM text_assignments WHERE project_id = ?',
    [projectId],
  )
  return rows.map((r) => ({ textId: r.textId, annotator: r.annotator })).sort(byTextThenName)
}

/** What projectAssignment gives for the project's texts and settings now, sorted. */
async function expectedRows(raw: RawSql, backend: Backend, projectId: number): Promise<Row[]> {
  const settings = await call<AnnotationSettingsDto>(backend, 'annotation/settings', { projectId })
  const texts = await raw.all<{ id: number; contentHash: string }>(
    'SELECT id, content_hash AS "contentHash" FROM texts WHERE project_id = ? ORDER BY id',
    [projectId],
  )
  return assignmentRows(projectAssignment(texts, settings)).sort(byTextThenName)
}

describe.each(BACKENDS)('text_assignments follow projectAssignment (%s)', (name: BackendName) => {
  let home: string
  let backend: Backend
  let raw: RawSql
  let repos: Repositories
  let records: SourceRecord[] = []
  let drop: () => Promise<void> = async () => {}

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), `cts-assign-${name}-`))
    const options = { actor: 'lead', sourceReader: new ArrayReader(() => records) }
    if (name === 'sqlite') {
      const ws = openWorkspace(home)
      raw = sqliteSql(ws.db)
      repos = ws.repos
      backend = bootWorkspace(ws, options)
    } else {
      const t = pgTestWorkspace(home)
      await t.ready
      raw = pgSql(t.workspace.pg)
      repos = t.workspace.repos
      backend = bootWorkspace(t.workspace, options)
      drop = t.drop
    }
  })
  afterAll(async () => {
    await backend?.shutdown()
    await drop()
    rmSync(home, { recursive: true, force: true })
  })

  async function importNotes(projectId: number, list: SourceRecord[]) {
    records = list
    await call(backend, 'datasets/import', { projectId, file: anyFile, mapping: textMapping })
  }

  it('is written on settings saved and texts imported, only for that project', async () => {
    const { id: p } = await call<{ id: number }>(backend, 'projects/create', {
      name: '门诊 notes',
      kind: 'multiclass',
      labels: ['A', 'B'],
    })
    const { id: other } = await call<{ id: number }>(backend, 'projects/create', {
      name: 'Other 其他',
      kind: 'binary',
    })
    await call(backend, 'loop/settings', { projectId: p, enabled: false })
    await importNotes(p, notes(12))
    // No team: nobody is assigned anything.
    expect(await storedRows(raw, p)).toEqual([])

    await call(backend, 'annotation/setSettings', {
      projectId: p,
      team: ['ann_a', 'ann_b', 'ann_c'],
      overlap: 0.5,
      overlapAnnotators: 2,
      seed: 3,
    })
    const first = await storedRows(raw, p)
    expect(first).toEqual(await expectedRows(raw, backend, p))
    // Every text once, the double-annotated ones twice: the rows are not trivially empty.
    const texts1 = new Set(first.map((r) => r.textId))
    expect(texts1.size).toBe(12)
    expect(first.length).toBeGreaterThan(12)

    await importNotes(p, notes(6, 100))
    const second = await storedRows(raw, p)
    expect(second).toEqual(await expectedRows(raw, backend, p))
    expect(new Set(second.map((r) => r.textId)).size).toBe(18)
    // The earlier texts keep their annotators (same seed, same hashes).
    expect(second.filter((r) => texts1.has(r.textId))).toEqual(first)

    // Another project's import leaves this project's rows alone and writes none of its own.
    await importNotes(other, notes(4, 200))
    expect(await storedRows(raw, other)).toEqual([])
    expect(await storedRows(raw, p)).toEqual(second)

    await call(backend, 'annotation/setSettings', { projectId: p, seed: 4 })
    const reseeded = await storedRows(raw, p)
    expect(reseeded).toEqual(await expectedRows(raw, backend, p))
    expect(reseeded).not.toEqual(second)

    await call(backend, 'annotation/setSettings', { projectId: p, team: [] })
    expect(await storedRows(raw, p)).toEqual([])
  })

  it('replaces a project’s rows in one transaction: a failing row keeps the old ones', async () => {
    const { id: p } = await call<{ id: number }>(backend, 'projects/create', {
      name: 'Atomic 原子',
      kind: 'binary',
    })
    await importNotes(p, notes(3, 300))
    const ids = (
      await raw.all<{ id: number }>('SELECT id FROM texts WHERE project_id = ? ORDER BY id', [p])
    ).map((r) => r.id)
    await repos.annotators.replaceAssignments(p, [
      { textId: ids[0], annotator: 'dr_li' },
      { textId: ids[1], annotator: '王医生' },
    ])
    const before = await storedRows(raw, p)
    expect(before).toEqual([
      { textId: ids[0], annotator: 'dr_li' },
      { textId: ids[1], annotator: '王医生' },
    ])
    // The same text twice for one annotator breaks the primary key after the DELETE ran.
    await expect(
      repos.annotators.replaceAssignments(p, [
        { textId: ids[2], annotator: 'dr_li' },
        { textId: ids[2], annotator: 'dr_li' },
      ]),
    ).rejects.toThrow()
    expect(await storedRows(raw, p)).toEqual(before)
  })
})

// ---------------------------------------------------------------------------------------------
// A team: the lead and two annotators, each booting the composition root with their own login.

/** Opens the team workspace as `login` in its own folder, like that member's computer. */
async function bootAs(
  login: TeamLogin,
  root: string,
  records?: () => SourceRecord[],
): Promise<{ backend: Backend; workspace: TeamWorkspace }> {
  const { url, password } = parseTeamUrl(login.url)
  // That member's own keychain, holding their password.
  const secrets: SecretStore = {
    where: `${login.role}'s keychain`,
    get: async () => password,
    set: async () => {},
    delete: async () => false,
  }
  const workspace = await openTeamWorkspace(
    join(root, login.role),
    { url, boundAt: new Date().toISOString() },
    { secrets, announce: () => {} },
  )
  // The lead's computer imports (records); on the others a due retrain would start at once (none
  // must, in an annotator's session), while the lead's keeps the app's debounce.
  const backend = bootWorkspace(
    workspace,
    records
      ? { sourceReader: new ArrayReader(records) }
      : { loop: { debounceMs: 0, maxWaitMs: 0 } },
  )
  return { backend, workspace }
}

describe('a team workspace through the service path', () => {
  let team: Team
  let root: string
  let lead: { backend: Backend; workspace: TeamWorkspace }
  let annA: { backend: Backend; workspace: TeamWorkspace }
  let annB: { backend: Backend; workspace: TeamWorkspace }
  let a: string
  let b: string
  let p: number
  let hidden: number
  let labels: { id: number; name: string }[]
  let records: SourceRecord[] = []
  /** Text ids assigned to each annotator in project p. */
  const share = new Map<string, number[]>()
  const leadSql = () => pgSql(lead.workspace.pg)

  beforeAll(async () => {
    team = await makeTeam({ members: { ann1: 'annotator', ann2: 'annotator', chief: 'lead' } })
    root = mkdtempSync(join(tmpdir(), 'cts-rights-svc-'))
    a = team.members.ann1.role
    b = team.members.ann2.role
    lead = await bootAs(team.lead, root, () => records)
    const project = await call<{ id: number; labels: { id: number; name: string }[] }>(
      lead.backend,
      'projects/create',
      { name: '急诊 triage', kind: 'multiclass', labels: ['A', 'B', 'C'] },
    )
    p = project.id
    labels = project.labels
    await call(lead.backend, 'loop/settings', { projectId: p, enabled: false })
    records = notes(16)
    await call(lead.backend, 'datasets/import', {
      projectId: p,
      file: anyFile,
      mapping: textMapping,
    })
    await call(lead.backend, 'annotation/setSettings', {
      projectId: p,
      team: [a, b],
      overlap: 0.25,
      overlapAnnotators: 2,
      seed: 11,
    })
    // A second project only b is on: a must not even see it.
    const q = await call<{ id: number }>(lead.backend, 'projects/create', {
      name: 'Ward 病房',
      kind: 'binary',
    })
    hidden = q.id
    await call(lead.backend, 'loop/settings', { projectId: hidden, enabled: false })
    records = notes(3, 50)
    await call(lead.backend, 'datasets/import', {
      projectId: hidden,
      file: anyFile,
      mapping: textMapping,
    })
    await call(lead.backend, 'annotation/setSettings', { projectId: hidden, team: [b] })

    for (const r of await storedRows(leadSql(), p)) {
      share.set(r.annotator, [...(share.get(r.annotator) ?? []), r.textId])
    }
    annA = await bootAs(team.members.ann1, root)
    annB = await bootAs(team.members.ann2, root)
  }, 120_000)

  afterAll(async () => {
    for (const m of [annA, annB, lead]) await m?.backend.shutdown()
    await team?.drop()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  it('the rows are projectAssignment’s, and each annotator has texts only the other lacks', async () => {
    expect(await storedRows(leadSql(), p)).toEqual(await expectedRows(leadSql(), lead.backend, p))
    const onlyA = share.get(a)!.filter((id) => !share.get(b)!.includes(id))
    const onlyB = share.get(b)!.filter((id) => !share.get(a)!.includes(id))
    expect(onlyA.length).toBeGreaterThan(0)
    expect(onlyB.length).toBeGreaterThan(0)
  })

  it('an annotator labels as their login; the owner keeps profiles', async () => {
    expect(await call(annA.backend, 'annotators/list', {})).toMatchObject({
      current: a,
      osUser: a,
    })
    const use = await refused(annA.backend, 'annotators/use', { name: 'Dr Wang' })
    expect(use).toEqual({
      code: 'unsupported',
      message: `On a team workspace you label as your login, "${a}"; an annotator cannot choose another profile. Labels you make are recorded under "${a}".`,
    })
    expect(await call(annA.backend, 'annotators/list', {})).toMatchObject({ current: a })
    // The lead (the database's owner) has no profile yet: labels default to the login.
    expect(await call(lead.backend, 'annotators/list', {})).toMatchObject({
      current: null,
      osUser: team.lead.role,
    })
  })

  it('an annotator lists and is queued exactly their assigned texts, and only their project', async () => {
    const projects = await call<{ id: number }[]>(annA.backend, 'projects/list', {})
    expect(projects.map((x) => x.id)).toEqual([p])
    const list = await call<{ total: number; rows: { id: number }[] }>(annA.backend, 'texts/list', {
      projectId: p,
      offset: 0,
      limit: 100,
      annotator: a,
    })
    expect(list.total).toBe(share.get(a)!.length)
    expect(list.rows.map((r) => r.id).sort((x, y) => x - y)).toEqual(share.get(a))
    const next = await call<{ textId: number | null; total: number }>(annA.backend, 'texts/next', {
      projectId: p,
      annotator: a,
    })
    expect(share.get(a)).toContain(next.textId)
    expect(next.total).toBe(share.get(a)!.length)
    const stats = await call<{ total: number; labelled: number }>(annA.backend, 'labels/stats', {
      projectId: p,
      annotator: a,
    })
    expect(stats).toMatchObject({ total: share.get(a)!.length, labelled: 0 })
    const last = share.get(a)!.at(-1)!
    expect(await call(annA.backend, 'texts/get', { textId: last, annotator: a })).toMatchObject({
      id: last,
    })
    expect(await call(annA.backend, 'labels/skip', { textId: last })).toEqual({ textId: last })
    // The project b alone is on does not exist for a.
    expect(
      (await refused(annA.backend, 'texts/list', { projectId: hidden, offset: 0, limit: 10 })).code,
    ).toBe('not-found')
  })

  it('an annotator labels, undoes and redoes under their login; the lead sees it all', async () => {
    const [t1, t2] = share.get(a)!
    const set1 = await call<{ textId: number; labelIds: number[] }>(annA.backend, 'labels/set', {
      textId: t1,
      labelIds: [labels[0].id],
    })
    expect(set1).toMatchObject({ textId: t1, labelIds: [labels[0].id] })
    await call(annA.backend, 'labels/set', { textId: t2, labelIds: [labels[1].id] })
    const undone = await call<{ textId: number; labelIds: number[] }>(annA.backend, 'labels/undo', {
      projectId: p,
    })
    expect(undone).toMatchObject({ textId: t2, labelIds: [] })
    const redone = await call<{ textId: number; labelIds: number[] }>(annA.backend, 'labels/redo', {
      projectId: p,
    })
    expect(redone).toMatchObject({ textId: t2, labelIds: [labels[1].id] })
    // b labels one of theirs too.
    const tb = share.get(b)![0]
    await call(annB.backend, 'labels/set', { textId: tb, labelIds: [labels[2].id] })

    // The lead's view: both annotators' rows, under their logins; the history and audit say so.
    const rows = await leadSql().all<{ text_id: number; annotator: string; label_ids: string }>(
      "SELECT text_id, annotator, label_ids FROM annotator_labels WHERE annotator <> '' ORDER BY text_id, annotator",
    )
    expect(rows).toEqual(
      [
        { text_id: t1, annotator: a, label_ids: JSON.stringify([labels[0].id]) },
        { text_id: t2, annotator: a, label_ids: JSON.stringify([labels[1].id]) },
        { text_id: tb, annotator: b, label_ids: JSON.stringify([labels[2].id]) },
      ].sort((x, y) => x.text_id - y.text_id || (x.annotator < y.annotator ? -1 : 1)),
    )
    const history = await leadSql().all<{ annotator: string; n: number }>(
      'SELECT annotator, COUNT(*)::int AS n FROM annotation_history GROUP BY annotator ORDER BY annotator',
    )
    expect(history).toEqual(
      [
        { annotator: a, n: 4 },
        { annotator: b, n: 1 },
      ].sort((x, y) => (x.annotator < y.annotator ? -1 : 1)),
    )
    const seen = await call(lead.backend, 'texts/get', { textId: tb, annotator: b })
    expect(seen).toMatchObject({ id: tb, labelIds: [labels[2].id], own: true })
    expect(await call(lead.backend, 'texts/get', { textId: t1, annotator: a })).toMatchObject({
      id: t1,
      labelIds: [labels[0].id],
      own: true,
    })
    const verify = await call<{ intact: boolean; entries: number }>(
      lead.backend,
      'audit/verify',
      {},
    )
    expect(verify.intact).toBe(true)
    const actors = await leadSql().all<{ actor: string }>(
      "SELECT DISTINCT actor FROM audit_log WHERE action LIKE 'label%' ORDER BY actor",
    )
    expect(actors.map((r) => r.actor).sort()).toEqual([a, b].sort())
  })

  /** What the lead sees of everything an annotator must not change. */
  async function leadView() {
    const sql = leadSql()
    const count = async (table: string) =>
      (await sql.all<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table}`))[0].n
    return {
      projects: await call(lead.backend, 'projects/list', {}),
      settings: await call(lead.backend, 'annotation/settings', { projectId: p }),
      texts: await call(lead.backend, 'texts/list', { projectId: p, offset: 0, limit: 100 }),
      runs: await call(lead.backend, 'runs/list', {}),
      loop: await call(lead.backend, 'loop/status', { projectId: p }),
      assignments: await storedRows(sql, p),
      annotatorLabels: await sql.all(
        'SELECT text_id, annotator, label_ids, at FROM annotator_labels ORDER BY text_id, annotator',
      ),
      counts: {
        history: await count('annotation_history'),
        adjudications: await count('adjudications'),
        audit: await count('audit_log'),
        profiles: await count('annotator_profiles'),
        settings: await count('workspace_settings'),
      },
    }
  }

  it('every lead’s step is refused for an annotator, clearly, and nothing changes', async () => {
    const mine = share.get(a)![0]
    const theirs = share.get(b)!.find((id) => !share.get(a)!.includes(id))!
    const before = await leadView()
    const attempts: [string, unknown, string, string | RegExp][] = [
      // A text not assigned to a does not exist for a (row-level security hides it).
      [
        'labels/set',
        { textId: theirs, labelIds: [labels[0].id] },
        'not-found',
        `Text ${theirs} is not one of the texts assigned to you ("${a}"), or it does not exist. Ask a lead of the team workspace if you should label it.`,
      ],
      [
        'labels/set',
        { textId: mine, labelIds: [labels[0].id], annotator: b },
        'team-forbidden',
        'Your team role does not allow this: labelling a text that is not assigned to you, or under another annotator’s name. Ask a lead of the team workspace.',
      ],
      [
        'adjudication/set',
        { textId: mine, labelIds: [labels[1].id] },
        'team-forbidden',
        'Your team role does not allow this: adjudicating texts. Ask a lead of the team workspace.',
      ],
      [
        'projects/create',
        { name: 'Mine 我的', kind: 'binary' },
        'team-forbidden',
        'Your team role does not allow this: creating, renaming, deleting or setting up projects. Ask a lead of the team workspace.',
      ],
      [
        'projects/rename',
        { projectId: p, name: 'Renamed 改名' },
        'team-forbidden',
        'Your team role does not allow this: creating, renaming, deleting or setting up projects. Ask a lead of the team workspace.',
      ],
      [
        'annotation/setSettings',
        { projectId: p, seed: 99 },
        'team-forbidden',
        'Your team role does not allow this: changing a project’s team, double annotation or label policy. Ask a lead of the team workspace.',
      ],
      [
        'training/start',
        { projectId: p, config: { model: 'baseline', epochs: 1, seed: 1, device: 'cpu' } },
        'team-forbidden',
        'Your team role does not allow this: starting training runs (a run learns from every annotator’s labels). Ask a lead of the team workspace.',
      ],
      [
        'loop/settings',
        { projectId: p, enabled: true },
        'team-forbidden',
        'Your team role does not allow this: the model in the loop is set up and retrained by the team’s leads. Ask a lead of the team workspace.',
      ],
      [
        'loop/retrain',
        { projectId: p },
        'team-forbidden',
        'Your team role does not allow this: the model in the loop is set up and retrained by the team’s leads. Ask a lead of the team workspace.',
      ],
      [
        'projects/addLabel',
        { projectId: p, name: 'D 新' },
        'team-forbidden',
        'Your team role does not allow this: creating, renaming, deleting or setting up projects. Ask a lead of the team workspace.',
      ],
      [
        'projects/delete',
        { projectId: p, confirmName: '急诊 triage' },
        'team-forbidden',
        'Your team role does not allow this: creating, renaming, deleting or setting up projects. Ask a lead of the team workspace.',
      ],
      ['annotators/use', { name: 'lead' }, 'unsupported', /you label as your login/],
      // An annotator reads only their own audit entries, so the whole chain is a lead's to check.
      [
        'audit/verify',
        {},
        'team-forbidden',
        'Your team role does not allow this: checking the whole audit log. Ask a lead of the team workspace.',
      ],
    ]
    for (const [name, args, code, message] of attempts) {
      const r = await refused(annA.backend, name, args)
      expect({ name, code: r.code }).toEqual({ name, code })
      if (typeof message === 'string') expect(r.message).toBe(message)
      else expect(r.message).toMatch(message)
      expect(await leadView()).toEqual(before)
    }
  })

  it('the model in the loop stays off in an annotator’s session, on while the lead has it on', async () => {
    await call(lead.backend, 'loop/settings', { projectId: p, enabled: true, threshold: 1 })
    try {
      expect(await call(lead.backend, 'loop/status', { projectId: p })).toMatchObject({
        enabled: true,
      })
      const status = await call(annA.backend, 'loop/status', { projectId: p })
      expect(status).toMatchObject({ enabled: false, model: null, training: false })
      const t = share.get(a)![2]
      expect(await call(annA.backend, 'loop/suggestion', { textId: t })).toBeNull()
      // The queue's model order falls back; a label write schedules no retrain here.
      const next = await call<{ textId: number; reason?: unknown }>(annA.backend, 'texts/next', {
        projectId: p,
        annotator: a,
        order: 'uncertainty',
      })
      expect(share.get(a)).toContain(next.textId)
      await call(annA.backend, 'labels/set', { textId: t, labelIds: [labels[0].id] })
      await new Promise((r) => setTimeout(r, 300))
      expect(await call(annA.backend, 'jobs/list', {})).toEqual([])
    } finally {
      await call(lead.backend, 'loop/settings', { projectId: p, enabled: false })
    }
  })

  it('a lead member (not the owner) keeps profiles, adjudicates, and moves the shares', async () => {
    const chief = await bootAs(team.members.chief, root)
    try {
      expect(await call(chief.backend, 'annotators/list', {})).toMatchObject({
        current: null,
        osUser: team.members.chief.role,
      })
      await call(chief.backend, 'annotators/use', { name: 'Dr Zhou 周' })
      const t = share.get(a)![0]
      await call(chief.backend, 'adjudication/set', { textId: t, labelIds: [labels[2].id] })
      expect(
        await leadSql().all('SELECT text_id, adjudicator FROM adjudications WHERE text_id = ?', [
          t,
        ]),
      ).toEqual([{ text_id: t, adjudicator: 'Dr Zhou 周' }])

      await call(chief.backend, 'annotation/setSettings', { projectId: p, seed: 12 })
      const rows = await storedRows(leadSql(), p)
      expect(rows).toEqual(await expectedRows(leadSql(), lead.backend, p))
      // a's list follows the new share at once.
      const mine = rows.filter((r) => r.annotator === a).map((r) => r.textId)
      expect(mine).not.toEqual(share.get(a))
      const list = await call<{ rows: { id: number }[] }>(annA.backend, 'texts/list', {
        projectId: p,
        offset: 0,
        limit: 100,
      })
      expect(list.rows.map((r) => r.id).sort((x, y) => x - y)).toEqual(mine)
      expect((await call<{ intact: boolean }>(chief.backend, 'audit/verify', {})).intact).toBe(true)
    } finally {
      await chief.backend.shutdown()
    }
  })
})
