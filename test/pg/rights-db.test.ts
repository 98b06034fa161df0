// Issue #17 point 3, the database side: logged in as a team member with plain SQL, an annotator
// reads and writes only what is assigned to them; a lead (not the owner) and the owner manage all.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ctsInProcess } from '../unit/cli/cts-in-process'
import { openPgDatabase, type PgDatabase } from '../../main/store/pg/pg-database'
import { pgRepositories } from '../../main/store/pg/repositories'
import { entryHash, GENESIS } from '../../main/store/audit-chain'
import {
  addTeamMember,
  checkMemberName,
  listTeamMembers,
  teamRoleOf,
} from '../../main/store/pg/team-members'
import { makeTeam, sqlAs, type Team } from './rights-fixture'

type Outcome = { rowCount: number } | { sqlState: string }

let team: Team
let ann1: string
let ann2: string
let boss: string
// Logins the CLI tests create: dropped after the database (their grants live there).
const cliLogins: string[] = []
// Seeded ids: project P (texts t1..t3, labels la/lb) and project Q (text t4).
const ids = { P: 0, Q: 0, la: 0, lb: 0, t1: 0, t2: 0, t3: 0, t4: 0, run: 0 }

/** One statement as `url`'s login, on its own connection: the rows it touched, or its SQLSTATE. */
async function attempt(url: string, sql: string, params: unknown[] = []): Promise<Outcome> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const r = await client.query(sql, params)
    return { rowCount: r.rowCount ?? 0 }
  } catch (err) {
    return { sqlState: (err as { code?: string }).code ?? '?' }
  } finally {
    await client.end()
  }
}

/** An adjudication of a text of project P, written with plain SQL. */
const adjudicate = (url: string, textId: number, adjudicator: string) =>
  attempt(
    url,
    `INSERT INTO adjudications (text_id, project_id, label_ids, adjudicator, at)
     VALUES ($1, $2, '[]', $3, 'now')`,
    [textId, ids.P, adjudicator],
  )

const denied = { sqlState: '42501' }
const none = { rowCount: 0 }

beforeAll(async () => {
  team = await makeTeam({
    members: { ann1: 'annotator', ann2: 'annotator', boss: 'lead' },
    // PostgreSQL 13/14's default: every login may CREATE in schema public (15 revoked it).
    beforeMigrate: (dbUrl) =>
      sqlAs(dbUrl, 'GRANT CREATE ON SCHEMA public TO PUBLIC').then(() => {}),
  })
  ann1 = team.members.ann1!.role
  ann2 = team.members.ann2!.role
  boss = team.members.boss!.role
  const seed = async (sql: string, params: unknown[] = []) =>
    (await sqlAs<{ id: number }>(team.dbUrl, sql, params))[0]?.id ?? 0
  const project = (name: string) =>
    seed(
      "INSERT INTO projects (name, kind, created_at) VALUES ($1, 'multiclass', 'now') RETURNING id",
      [name],
    )
  const text = (projectId: number, body: string, hash: string) =>
    seed('INSERT INTO texts (project_id, text, content_hash) VALUES ($1, $2, $3) RETURNING id', [
      projectId,
      body,
      hash,
    ])
  ids.P = await project('Sepsis 败血症')
  ids.Q = await project('Cardiology 心内科')
  const label = (name: string, position: number) =>
    seed(
      "INSERT INTO labels (project_id, name, position, color) VALUES ($1, $2, $3, '#888') RETURNING id",
      [ids.P, name, position],
    )
  ids.la = await label('fever 发热', 0)
  ids.lb = await label('no fever 无发热', 1)
  ids.t1 = await text(ids.P, 'Patient febrile 38.9 °C. 患者发热。', 'h1')
  ids.t2 = await text(ids.P, 'Afebrile, stable. 体温正常。', 'h2')
  ids.t3 = await text(ids.P, 'Chills overnight. 夜间寒战。', 'h3')
  ids.t4 = await text(ids.Q, 'Chest pain. 胸痛。', 'h4')
  // ann1: t1, t2; ann2: t2, t3 (overlap on t2); nobody on project Q.
  for (const [t, a] of [
    [ids.t1, ann1],
    [ids.t2, ann1],
    [ids.t2, ann2],
    [ids.t3, ann2],
  ] as const) {
    await sqlAs(
      team.dbUrl,
      'INSERT INTO text_assignments (text_id, project_id, annotator) VALUES ($1, $2, $3)',
      [t, ids.P, a],
    )
  }
  for (const t of [ids.t2, ids.t3]) {
    await sqlAs(
      team.dbUrl,
      `INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at)
       VALUES ($1, $2, $3, $4, 'local', 'now')`,
      [t, ids.P, ann2, JSON.stringify([ids.lb])],
    )
  }
  ids.run = await seed(
    `INSERT INTO runs (project_id, model_kind, base_model, config_json, labels_json, data_hash, seed, status, created_at)
     VALUES ($1, 'baseline', 'm', '{}', '[]', 'h', 7, 'success', 'now') RETURNING id`,
    [ids.P],
  )
  await sqlAs(
    team.dbUrl,
    "INSERT INTO api_tokens (name, token_hash, created_at) VALUES ('ward', 'x', 'now')",
  )
})

afterAll(async () => {
  await team?.drop()
  for (const r of cliLogins) await sqlAs(team.adminUrl, `DROP ROLE IF EXISTS ${r}`)
})

describe('an annotator, logged in with plain SQL', () => {
  const url = () => team.members.ann1!.url

  it('sees exactly the texts assigned to them, and the projects and labels around them', async () => {
    expect(await sqlAs(url(), 'SELECT id FROM texts ORDER BY id')).toEqual([
      { id: ids.t1 },
      { id: ids.t2 },
    ])
    expect(await sqlAs(url(), 'SELECT COUNT(*)::int AS n FROM texts')).toEqual([{ n: 2 }])
    expect(await sqlAs(url(), 'SELECT id FROM projects ORDER BY id')).toEqual([{ id: ids.P }])
    expect(await sqlAs(url(), 'SELECT COUNT(*)::int AS n FROM labels')).toEqual([{ n: 2 }])
    // Another annotator's rows on a shared text are visible (gold resolution needs them)…
    expect(
      await sqlAs(url(), 'SELECT text_id, annotator FROM annotator_labels ORDER BY text_id'),
    ).toEqual([{ text_id: ids.t2, annotator: ann2 }])
    // …their assignment rows are not; only one's own.
    expect(await sqlAs(url(), 'SELECT text_id FROM text_assignments ORDER BY text_id')).toEqual([
      { text_id: ids.t1 },
      { text_id: ids.t2 },
    ])
    expect(await sqlAs(url(), 'SELECT name, role FROM team_members')).toEqual([
      { name: ann1, role: 'annotator' },
    ])
  })

  it("cannot SELECT another project's texts: no error, no rows", async () => {
    expect(
      await sqlAs(url(), 'SELECT COUNT(*)::int AS n FROM texts WHERE project_id = $1', [ids.Q]),
    ).toEqual([{ n: 0 }])
    expect(await sqlAs(url(), 'SELECT id FROM texts WHERE id = $1', [ids.t3])).toEqual([])
    expect(await sqlAs(url(), 'SELECT id FROM projects WHERE id = $1', [ids.Q])).toEqual([])
  })

  it('cannot write annotator_labels for another annotator or on an unassigned text', async () => {
    const insert = (textId: number, annotator: string) =>
      attempt(
        url(),
        `INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at)
         VALUES ($1, $2, $3, '[]', 'local', 'now')`,
        [textId, ids.P, annotator],
      )
    // INSERT: the policy's WITH CHECK fails → SQLSTATE 42501.
    expect(await insert(ids.t1, ann2)).toEqual(denied)
    expect(await insert(ids.t3, ann1)).toEqual(denied)
    expect(await insert(ids.t4, ann1)).toEqual(denied)
    // UPDATE/DELETE of rows that are not theirs: the USING clause hides them → 0 rows, no error.
    expect(
      await attempt(url(), "UPDATE annotator_labels SET label_ids = '[]' WHERE annotator = $1", [
        ann2,
      ]),
    ).toEqual(none)
    expect(
      await attempt(url(), 'DELETE FROM annotator_labels WHERE annotator = $1', [ann2]),
    ).toEqual(none)
    // Turning one's own row into someone else's fails the WITH CHECK.
    expect(await insert(ids.t1, ann1)).toEqual({ rowCount: 1 })
    expect(
      await attempt(url(), 'UPDATE annotator_labels SET annotator = $1 WHERE annotator = $2', [
        ann2,
        ann1,
      ]),
    ).toEqual(denied)
    expect(
      await attempt(url(), 'DELETE FROM annotator_labels WHERE annotator = $1', [ann1]),
    ).toEqual({ rowCount: 1 })
    // ann2's rows are as they were.
    expect(
      await sqlAs(
        team.dbUrl,
        'SELECT text_id, label_ids FROM annotator_labels WHERE annotator = $1 ORDER BY text_id',
        [ann2],
      ),
    ).toEqual([
      { text_id: ids.t2, label_ids: JSON.stringify([ids.lb]) },
      { text_id: ids.t3, label_ids: JSON.stringify([ids.lb]) },
    ])
  })

  it("cannot write history under another annotator's name or on an unassigned text", async () => {
    const insert = (textId: number, annotator: string) =>
      attempt(
        url(),
        `INSERT INTO annotation_history (project_id, text_id, action, before_label_ids, after_label_ids, annotator, created_at)
         VALUES ($1, $2, 'set', 'null', '[]', $3, 'now')`,
        [ids.P, textId, annotator],
      )
    expect(await insert(ids.t1, ann2)).toEqual(denied)
    expect(await insert(ids.t3, ann1)).toEqual(denied)
    expect(await attempt(url(), 'DELETE FROM annotation_history')).toEqual(denied)
  })

  it('cannot adjudicate, nor change texts', async () => {
    expect(await adjudicate(url(), ids.t1, ann1)).toEqual(denied)
    expect(await attempt(url(), "UPDATE adjudications SET note = 'x'")).toEqual(denied)
    // Only the id column may be "updated" (to lock a row); the policy refuses any real update.
    expect(
      await attempt(url(), "UPDATE texts SET text = 'changed' WHERE id = $1", [ids.t1]),
    ).toEqual(denied)
    expect(await attempt(url(), 'UPDATE texts SET id = id WHERE id = $1', [ids.t1])).toEqual(denied)
    expect(await attempt(url(), 'DELETE FROM texts WHERE id = $1', [ids.t1])).toEqual(denied)
    expect(
      await attempt(
        url(),
        "INSERT INTO texts (project_id, text, content_hash) VALUES ($1, 'x', 'hx')",
        [ids.P],
      ),
    ).toEqual(denied)
    // The row lock a label write takes works on an assigned text and finds nothing elsewhere.
    expect(
      await attempt(url(), 'SELECT project_id FROM texts WHERE id = $1 FOR NO KEY UPDATE', [
        ids.t1,
      ]),
    ).toEqual({ rowCount: 1 })
    expect(
      await attempt(url(), 'SELECT project_id FROM texts WHERE id = $1 FOR NO KEY UPDATE', [
        ids.t3,
      ]),
    ).toEqual(none)
  })

  it('cannot create, rename or delete projects or labels', async () => {
    expect(
      await attempt(
        url(),
        "INSERT INTO projects (name, kind, created_at) VALUES ('mine', 'binary', 'now')",
      ),
    ).toEqual(denied)
    expect(
      await attempt(url(), "UPDATE projects SET name = 'renamed' WHERE id = $1", [ids.P]),
    ).toEqual(denied)
    expect(await attempt(url(), 'DELETE FROM projects WHERE id = $1', [ids.P])).toEqual(denied)
    expect(
      await attempt(
        url(),
        "INSERT INTO labels (project_id, name, position, color) VALUES ($1, 'x', 9, '#000')",
        [ids.P],
      ),
    ).toEqual(denied)
    expect(await attempt(url(), "UPDATE labels SET name = 'x' WHERE id = $1", [ids.la])).toEqual(
      denied,
    )
    expect(await attempt(url(), 'DELETE FROM labels WHERE id = $1', [ids.la])).toEqual(denied)
  })

  it('cannot change text_assignments or team_members, nor grant itself rights', async () => {
    expect(
      await attempt(
        url(),
        'INSERT INTO text_assignments (text_id, project_id, annotator) VALUES ($1, $2, $3)',
        [ids.t3, ids.P, ann1],
      ),
    ).toEqual(denied)
    expect(await attempt(url(), 'DELETE FROM text_assignments')).toEqual(denied)
    expect(
      await attempt(url(), "UPDATE team_members SET role = 'lead' WHERE name = $1", [ann1]),
    ).toEqual(denied)
    expect(
      await attempt(
        url(),
        "INSERT INTO team_members (name, role, added_at, added_by) VALUES ('x', 'lead', 'now', 'x')",
      ),
    ).toEqual(denied)
    expect(await attempt(url(), 'DELETE FROM team_members')).toEqual(denied)
    expect(await attempt(url(), "SELECT cts_grant_member($1, 'lead')", [ann1])).toEqual(denied)
    expect(await attempt(url(), 'SELECT cts_revoke_member($1)', [ann2])).toEqual(denied)
  })

  it('cannot UPDATE or DELETE the audit log, nor append under another name or move its head', async () => {
    expect(await attempt(url(), "UPDATE audit_log SET actor = 'x'")).toEqual(denied)
    expect(await attempt(url(), 'DELETE FROM audit_log')).toEqual(denied)
    expect(await attempt(url(), 'TRUNCATE audit_log')).toEqual(denied)
    expect(
      await attempt(
        url(),
        `INSERT INTO audit_log (id, at, actor, action, project_id, details)
         VALUES (999, 'now', $1, 'label.set', NULL, '{}')`,
        [ann2],
      ),
    ).toEqual(denied)
    expect(
      await attempt(
        url(),
        "INSERT INTO workspace_settings (key, value) VALUES ('annotator.current', '\"x\"')",
      ),
    ).toEqual(denied)
    expect(
      await attempt(
        url(),
        `INSERT INTO workspace_settings (key, value) VALUES ('audit.head', '{"id":1,"hash":"forged"}')
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
    ).toEqual(denied)
  })

  it('cannot read runs, run epochs or files, studies, API tokens or packages', async () => {
    const leadOnly = [
      'runs',
      'run_epochs',
      'run_artifacts',
      'run_artifact_chunks',
      'studies',
      'api_tokens',
      'annotation_packages',
    ]
    for (const table of leadOnly) {
      expect({ table, outcome: await attempt(url(), `SELECT * FROM ${table}`) }).toEqual({
        table,
        outcome: denied,
      })
    }
  })
})

describe('a lead who does not own the database', () => {
  const url = () => team.members.boss!.url

  it('reads every text, run and token', async () => {
    expect(await sqlAs(url(), 'SELECT COUNT(*)::int AS n FROM texts')).toEqual([{ n: 4 }])
    expect(await sqlAs(url(), 'SELECT id FROM runs')).toEqual([{ id: ids.run }])
    expect(await sqlAs(url(), 'SELECT name FROM api_tokens')).toEqual([{ name: 'ward' }])
    expect(await sqlAs(url(), 'SELECT COUNT(*)::int AS n FROM run_artifacts')).toEqual([{ n: 0 }])
  })

  it('adjudicates, manages projects, labels, assignments and members; the audit log stays append-only', async () => {
    expect(await adjudicate(url(), ids.t3, boss)).toEqual({ rowCount: 1 })
    expect(
      await attempt(
        url(),
        "INSERT INTO projects (name, kind, created_at) VALUES ('Lead 组长', 'binary', 'now')",
      ),
    ).toEqual({ rowCount: 1 })
    expect(
      await attempt(url(), "UPDATE projects SET name = 'Lead 2 组长' WHERE name = 'Lead 组长'"),
    ).toEqual({ rowCount: 1 })
    expect(
      await attempt(
        url(),
        `INSERT INTO labels (project_id, name, position, color)
         SELECT id, 'yes', 0, '#000' FROM projects WHERE name = 'Lead 2 组长'`,
      ),
    ).toEqual({ rowCount: 1 })
    expect(await attempt(url(), "DELETE FROM projects WHERE name = 'Lead 2 组长'")).toEqual({
      rowCount: 1,
    })
    expect(
      await attempt(
        url(),
        'INSERT INTO text_assignments (text_id, project_id, annotator) VALUES ($1, $2, $3)',
        [ids.t4, ids.Q, ann2],
      ),
    ).toEqual({ rowCount: 1 })
    expect(
      await attempt(url(), 'DELETE FROM text_assignments WHERE text_id = $1', [ids.t4]),
    ).toEqual({ rowCount: 1 })
    expect(
      await attempt(url(), 'UPDATE team_members SET added_by = added_by WHERE name = $1', [ann2]),
    ).toEqual({ rowCount: 1 })
    expect(await attempt(url(), "UPDATE audit_log SET actor = 'x'")).toEqual(denied)
    expect(await attempt(url(), 'DELETE FROM audit_log')).toEqual(denied)
  })
})

describe('the schema', () => {
  it('puts every table of the workspace under row-level security (all but the version table)', async () => {
    const open = await sqlAs<{ relname: string }>(
      team.dbUrl,
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relrowsecurity ORDER BY 1`,
    )
    expect(open).toEqual([{ relname: 'cts_schema_version' }])
  })
})

describe('the owner', () => {
  it('is "owner" to teamRoleOf, reads everything, and alone may rewrite the audit log', async () => {
    const db = await openPgDatabase(team.lead.url, { max: 1 })
    try {
      expect(await teamRoleOf(db)).toBe('owner')
      expect(await db.row('SELECT COUNT(*)::int AS n FROM texts')).toEqual({ n: 4 })
      expect(await db.row('SELECT COUNT(*)::int AS n FROM runs')).toEqual({ n: 1 })
      // In a transaction rolled back: the chain is left as it was.
      const touched = await db
        .tx(async (q) => {
          const r = await q.run(
            "UPDATE audit_log SET actor = actor WHERE action = 'team.member-add'",
          )
          throw Object.assign(new Error('roll back'), { touched: r.rowCount })
        })
        .catch((e: { touched?: number }) => e.touched)
      expect(touched).toBe(3)
      expect((await listTeamMembers(db)).map((m) => [m.name, m.role, m.addedBy])).toEqual(
        [
          [ann1, 'annotator', team.lead.role],
          [ann2, 'annotator', team.lead.role],
          [boss, 'lead', team.lead.role],
        ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
      )
    } finally {
      await db.close()
    }
  })
})

describe("members' normal flows through the existing repositories", () => {
  let dbs: PgDatabase[] = []
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.close()))
    dbs = []
  })
  const open = async (url: string) => {
    const db = await openPgDatabase(url, { max: 2 })
    dbs.push(db)
    return db
  }

  it('an annotator labels, undoes and redoes on an assigned text; an unassigned one is not found', async () => {
    const db = await open(team.members.ann1!.url)
    expect(await teamRoleOf(db)).toBe('annotator')
    const repos = pgRepositories(db, '/nonexistent-home')
    const set = await repos.annotations.set({
      projectId: ids.P,
      textId: ids.t2,
      labelIds: [ids.la],
      annotator: ann1,
    })
    expect(set).toMatchObject({ textId: ids.t2, labelIds: [ids.la] })
    const undo = await repos.annotations.step({
      projectId: ids.P,
      action: 'undo',
      actor: ann1,
      annotator: ann1,
    })
    expect(undo).toMatchObject({ textId: ids.t2, labelIds: [] })
    const redo = await repos.annotations.step({
      projectId: ids.P,
      action: 'redo',
      actor: ann1,
      annotator: ann1,
    })
    expect(redo).toMatchObject({ textId: ids.t2, labelIds: [ids.la] })
    // Not assigned to ann1: the text does not exist for them.
    expect(
      await repos.annotations.set({
        projectId: ids.P,
        textId: ids.t3,
        labelIds: [ids.la],
        annotator: ann1,
      }),
    ).toBeUndefined()
    expect(
      await sqlAs(
        team.dbUrl,
        'SELECT text_id, label_ids FROM annotator_labels WHERE annotator = $1',
        [ann1],
      ),
    ).toEqual([{ text_id: ids.t2, label_ids: JSON.stringify([ids.la]) }])
  })

  it('an annotator skips and reviews an assigned text; the states they see are theirs only', async () => {
    const db = await open(team.members.ann1!.url)
    const repos = pgRepositories(db, '/nonexistent-home')
    expect(await repos.annotations.skip({ projectId: ids.P, textId: ids.t1, actor: ann1 })).toBe(
      true,
    )
    expect(await repos.annotations.skip({ projectId: ids.P, textId: ids.t3, actor: ann1 })).toBe(
      false,
    )
    expect(
      await repos.queue.decide({
        projectId: ids.P,
        textId: ids.t2,
        decision: 'keep',
        actor: ann1,
        details: {},
      }),
    ).toBe(true)
    expect((await repos.queue.states(ids.P)).map((t) => t.id)).toEqual([ids.t1, ids.t2])
  })

  it('a lead adjudicates through the repository, and the audit chain of everyone stays intact', async () => {
    const db = await open(team.members.boss!.url)
    expect(await teamRoleOf(db)).toBe('lead')
    const repos = pgRepositories(db, '/nonexistent-home')
    expect(
      await repos.annotators.adjudicate({
        projectId: ids.P,
        textId: ids.t2,
        labelIds: [ids.lb],
        adjudicator: boss,
        note: 'consensus 共识',
      }),
    ).toBe(true)
    const owner = await open(team.lead.url)
    const verify = await pgRepositories(owner, '/nonexistent-home').audit.verify()
    expect(verify).toMatchObject({ intact: true, brokenAt: null })
    // 3 member-adds, ann1's set/undo/redo, skip and review, boss's adjudication.
    expect(verify.entries).toBe(9)
  })
})

describe('cts workspace member add | list | remove', () => {
  let root: string
  const saved = { creds: process.env.CTS_TEAM_CREDENTIALS, pgpass: process.env.PGPASSFILE }
  const password = (url: string) => decodeURIComponent(new URL(url).password)
  const bare = (url: string) => {
    const u = new URL(url)
    u.password = ''
    return u.toString()
  }
  /** A folder bound to the team database as `url`'s login. */
  async function folderAs(name: string, url: string): Promise<string> {
    const home = join(root, name)
    const pw = join(root, `${name}.pw`)
    writeFileSync(pw, `${password(url)}\n`, { mode: 0o600 })
    const connected = await ctsInProcess(home, [
      'workspace',
      'connect',
      bare(url),
      '--password-file',
      pw,
    ])
    expect(connected.code, connected.stderr).toBe(0)
    return home
  }

  /** `cts workspace member add NAME --role annotator --password-file F`, F holding `secret`. */
  function addWithPassword(home: string, name: string, secret: string) {
    const file = join(root, `${name}.pw`)
    writeFileSync(file, `${secret}\n`, { mode: 0o600 })
    const args = ['member', 'add', name, '--role', 'annotator', '--password-file', file]
    return ctsInProcess(home, ['workspace', ...args])
  }
  /** The team database's URL for a login the CLI made. */
  function loginUrl(name: string, secret: string): string {
    const u = new URL(team.lead.url)
    u.username = name
    u.password = encodeURIComponent(secret)
    return u.toString()
  }

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cts-members-'))
    mkdirSync(join(root, 'config'), { mode: 0o700 })
    process.env.CTS_TEAM_CREDENTIALS = join(root, 'config', 'team-credentials.json')
    process.env.PGPASSFILE = join(root, 'config', 'no-pgpass')
  })

  afterAll(async () => {
    if (saved.creds === undefined) delete process.env.CTS_TEAM_CREDENTIALS
    else process.env.CTS_TEAM_CREDENTIALS = saved.creds
    if (saved.pgpass === undefined) delete process.env.PGPASSFILE
    else process.env.PGPASSFILE = saved.pgpass
    rmSync(root, { recursive: true, force: true })
  })

  it('the owner creates a login with a password, lists it, and removes it again', async () => {
    const home = await folderAs('owner', team.lead.url)
    const name = `nurse_${team.database.slice(5)}`
    cliLogins.push(name)
    const secret = 'Secret-护士-Pw 9'
    const added = await addWithPassword(home, name, secret)
    expect(added).toEqual({
      code: 0,
      stdout: `${name} is now an annotator of the team workspace (login created; the password was sent only as its SCRAM verifier).\n`,
      stderr: '',
    })
    // The new login works with the password and is an annotator.
    const login = loginUrl(name, secret)
    const db = await openPgDatabase(login, { max: 1 })
    try {
      expect(await teamRoleOf(db)).toBe('annotator')
    } finally {
      await db.close()
    }
    const listed = await ctsInProcess(home, ['workspace', 'member', 'list', '--json'])
    expect(listed.code).toBe(0)
    expect(
      (JSON.parse(listed.stdout) as { name: string; role: string; addedBy: string }[]).map((m) => [
        m.name,
        m.role,
        m.addedBy,
      ]),
    ).toContainEqual([name, 'annotator', team.lead.role])
    const removed = await ctsInProcess(home, ['workspace', 'member', 'remove', name])
    expect(removed).toEqual({
      code: 0,
      stdout: `${name} is no longer a member of the team workspace; their login stays on the server (the administrator may drop it).\n`,
      stderr: '',
    })
    // Grants gone: the login can still connect but reads nothing.
    expect(await attempt(login, 'SELECT id FROM texts')).toEqual(denied)
    const actions = await sqlAs<{ action: string; details: string }>(
      team.dbUrl,
      "SELECT action, details FROM audit_log WHERE action LIKE 'team.%' ORDER BY id DESC LIMIT 2",
    )
    expect(actions.map((a) => [a.action, JSON.parse(a.details)])).toEqual([
      ['team.member-remove', { name, role: 'annotator' }],
      ['team.member-add', { name, role: 'annotator', loginCreated: true }],
    ])
    // The password itself is nowhere in the database's audit log.
    expect(
      await sqlAs(team.dbUrl, 'SELECT id FROM audit_log WHERE details LIKE $1', [`%${secret}%`]),
    ).toEqual([])
  })

  it('a lead without CREATEROLE is given the exact SQL for the administrator, never the password', async () => {
    const home = await folderAs('boss', team.members.boss!.url)
    const name = `clerk_${team.database.slice(5)}`
    const secret = 'Never-Shown-Pw-文员'
    const refused = await addWithPassword(home, name, secret)
    expect(refused.code).toBe(2)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).not.toContain(secret)
    const m = new RegExp(
      `^Error: Your database login "${boss}" may not create logins \\(it lacks CREATEROLE\\)\\. Ask the server's administrator to run this SQL \\(it holds only the password's SCRAM verifier, not the password\\):\\n  (CREATE ROLE ${name} LOGIN PASSWORD 'SCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+';)\\nthen run this command again without --password-file\\.\\n$`,
    ).exec(refused.stderr)
    expect(m).not.toBeNull()
    // The administrator runs exactly that; the lead then adds the login as it is.
    cliLogins.push(name)
    await sqlAs(team.adminUrl, m![1]!)
    const added = await ctsInProcess(home, [
      'workspace',
      'member',
      'add',
      name,
      '--role',
      'annotator',
    ])
    expect(added).toEqual({
      code: 0,
      stdout: `${name} is now an annotator of the team workspace.\n`,
      stderr: '',
    })
    const login = loginUrl(name, secret)
    expect(await sqlAs(login, 'SELECT current_user AS who')).toEqual([{ who: name }])
    // Adding a member again changes their role: the clerk becomes a lead and reads runs.
    expect(await attempt(login, 'SELECT id FROM runs')).toEqual(denied)
    expect(
      await ctsInProcess(home, ['workspace', 'member', 'add', name, '--role', 'lead']),
    ).toMatchObject({ code: 0, stdout: `${name} is now a lead of the team workspace.\n` })
    expect(await attempt(login, 'SELECT id FROM runs')).toEqual({ rowCount: 1 })
    const [entry] = await sqlAs<{ actor: string; details: string }>(
      team.dbUrl,
      "SELECT actor, details FROM audit_log WHERE action = 'team.member-add' ORDER BY id DESC LIMIT 1",
    )
    expect({ actor: entry!.actor, details: JSON.parse(entry!.details) }).toEqual({
      actor: boss,
      details: { name, role: 'lead', previousRole: 'annotator', loginCreated: false },
    })
    const listed = await ctsInProcess(home, ['workspace', 'member', 'list'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(
      new RegExp(`^${name}\\tlead\\tadded \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z by ${boss}$`, 'm'),
    )
  })

  it('an annotator may not manage members; a bad name or an unknown login is refused', async () => {
    const home = await folderAs('ann2', team.members.ann2!.url)
    const refused = await ctsInProcess(home, ['workspace', 'member', 'remove', ann1])
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr: `Error: Only a lead of the team workspace can remove team members; you are logged in as "${ann2}" (an annotator). Ask a lead of the team workspace.\n`,
    })
    expect(
      await ctsInProcess(home, ['workspace', 'member', 'add', 'Dr-Li', '--role', 'lead']),
    ).toEqual({
      code: 2,
      stdout: '',
      stderr: `Error: "Dr-Li" cannot be a team member's name: use 1 to 63 lowercase letters (a–z), digits and _, starting with a letter or _, not starting with pg_ and not public, none, all, current_user, session_user or current_role (it is the member's database login).\n`,
    })
    const owner = join(root, 'owner')
    expect(
      await ctsInProcess(owner, [
        'workspace',
        'member',
        'add',
        'no_such_login_x',
        '--role',
        'lead',
      ]),
    ).toEqual({
      code: 2,
      stdout: '',
      stderr: `Error: The server has no login named "no_such_login_x". Give --password-file to create it, or ask the server's administrator to create it (CREATE ROLE no_such_login_x LOGIN PASSWORD …) first.\n`,
    })
    expect(
      await ctsInProcess(owner, ['workspace', 'member', 'add', team.lead.role, '--role', 'lead']),
    ).toMatchObject({ code: 2 })
    // A local folder has no members.
    const local = join(root, 'local')
    expect(await ctsInProcess(local, ['workspace', 'member', 'list'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('is not connected to a team workspace'),
    })
  })
})

// Holes a review found (wave 2); these run last: they add audit entries and rows the tests above count.
describe('an annotator cannot break what the team shares', () => {
  const url = () => team.members.ann1!.url
  const newest = async () =>
    (
      await sqlAs<{ id: number; hash: string }>(
        team.dbUrl,
        'SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1',
      )
    )[0]!
  const verifyAs = async (loginUrl: string) => {
    const db = await openPgDatabase(loginUrl, { max: 1 })
    try {
      return await pgRepositories(db, '/nonexistent-home').audit.verify()
    } finally {
      await db.close()
    }
  }

  it('the audit hash in SQL equals entryHash, non-ASCII and control characters included', async () => {
    const cases = [
      {
        id: 1,
        at: '2026-12-07T01:00:00.000Z',
        actor: 'ann',
        action: 'label.set',
        project_id: 3,
        details: '{}',
      },
      {
        id: 2147483646,
        at: 'now',
        actor: 'dr_李',
        action: 'adjudication.set',
        project_id: null,
        details: JSON.stringify({
          note: 'fièvre "38,9" \\ 发热\n\t\r\b\f\u0001\u001f\u007f\u2028 😷',
        }),
      },
    ]
    for (const [i, e] of cases.entries()) {
      const prev = i === 0 ? GENESIS : 'ab'.repeat(32)
      const [row] = await sqlAs<{ h: string }>(
        url(),
        'SELECT cts_audit_hash($1, $2, $3, $4, $5, $6, $7) AS h',
        [e.id, e.at, e.actor, e.action, e.project_id, e.details, prev],
      )
      expect(row!.h).toBe(entryHash(e, prev))
    }
  })

  it('appends only the entry linked to the newest one, with its true hash; later writers go on', async () => {
    const last = await newest()
    const fields = {
      at: '2026-12-07T01:30:00.000Z',
      actor: ann1,
      action: 'label.set',
      project_id: ids.P,
      details: JSON.stringify({ textId: ids.t1, note: '发热 "x"\n' }),
    }
    const insert = (id: number, prev: string, hash: string) =>
      attempt(
        url(),
        `INSERT INTO audit_log (id, at, actor, action, project_id, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, fields.at, fields.actor, fields.action, fields.project_id, fields.details, prev, hash],
      )
    const next = last.id + 1
    // The reviewer's id: every later append would overflow the integer id (22003).
    expect(
      await insert(2147483647, last.hash, entryHash({ ...fields, id: 2147483647 }, last.hash)),
    ).toEqual(denied)
    expect(
      await insert(next, 'f'.repeat(64), entryHash({ ...fields, id: next }, 'f'.repeat(64))),
    ).toEqual(denied)
    expect(await insert(next, last.hash, 'f'.repeat(64))).toEqual(denied)
    expect(
      await insert(next + 1, last.hash, entryHash({ ...fields, id: next + 1 }, last.hash)),
    ).toEqual(denied)
    expect(await newest()).toEqual(last)
    // The one true entry is accepted; moving the head to it too keeps the chain intact.
    const hash = entryHash({ ...fields, id: next }, last.hash)
    expect(await insert(next, last.hash, hash)).toEqual({ rowCount: 1 })
    expect(
      await attempt(
        url(),
        `INSERT INTO workspace_settings (key, value) VALUES ('audit.head', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [JSON.stringify({ id: next, hash })],
      ),
    ).toEqual({ rowCount: 1 })
    // ann2's label through the repository links after it.
    const db = await openPgDatabase(team.members.ann2!.url, { max: 1 })
    try {
      const repos = pgRepositories(db, '/nonexistent-home')
      expect(
        await repos.annotations.set({
          projectId: ids.P,
          textId: ids.t3,
          labelIds: [ids.la],
          annotator: ann2,
        }),
      ).toMatchObject({ textId: ids.t3, labelIds: [ids.la] })
    } finally {
      await db.close()
    }
    expect((await newest()).id).toBe(next + 1)
    expect(await verifyAs(team.members.boss!.url)).toMatchObject({ intact: true, brokenAt: null })
  })

  it('reads only its own audit entries; the newest id and hash come from cts_audit_newest()', async () => {
    const own = await sqlAs<{ n: number }>(
      team.dbUrl,
      'SELECT COUNT(*)::int AS n FROM audit_log WHERE actor = $1',
      [ann1],
    )
    expect(own[0]!.n).toBeGreaterThan(0)
    expect(
      await sqlAs(url(), 'SELECT actor, COUNT(*)::int AS n FROM audit_log GROUP BY actor'),
    ).toEqual([{ actor: ann1, n: own[0]!.n }])
    // The lead's adjudication note and the member list are not theirs to read.
    expect(
      await sqlAs(
        url(),
        "SELECT COUNT(*)::int AS n FROM audit_log WHERE action IN ('adjudication.set', 'team.member-add')",
      ),
    ).toEqual([{ n: 0 }])
    const last = await newest()
    expect(await sqlAs(url(), 'SELECT id, hash FROM cts_audit_newest()')).toEqual([last])
    // The function is the members': PUBLIC (any other login of the server) may not call it.
    expect(
      await sqlAs(
        team.dbUrl,
        "SELECT has_function_privilege('public', 'cts_audit_newest()', 'EXECUTE') AS p",
      ),
    ).toEqual([{ p: false }])
  })

  it('cannot LOCK the shared tables it does not delete from; idle transactions and lock waits end', async () => {
    for (const table of [
      'annotations',
      'texts',
      'annotation_history',
      'label_reviews',
      'workspace_settings',
      'audit_log',
    ]) {
      expect({
        table,
        outcome: await attempt(
          url(),
          `BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE; COMMIT`,
        ),
      }).toEqual({ table, outcome: denied })
    }
    expect(
      await sqlAs(
        url(),
        `SELECT name, setting FROM pg_settings
          WHERE name IN ('idle_in_transaction_session_timeout', 'lock_timeout') ORDER BY name`,
      ),
    ).toEqual([
      { name: 'idle_in_transaction_session_timeout', setting: '60000' },
      { name: 'lock_timeout', setting: '30000' },
    ])
  })

  it('inserts history without choosing its id, and changes only undo_state', async () => {
    expect(
      await attempt(
        url(),
        `INSERT INTO annotation_history (id, project_id, text_id, action, before_label_ids, after_label_ids, annotator, created_at)
         VALUES (1000000, $1, $2, 'set', 'null', '[]', $3, 'now')`,
        [ids.P, ids.t1, ann1],
      ),
    ).toEqual(denied)
    expect(
      await attempt(
        url(),
        "UPDATE annotation_history SET after_label_ids = '[]' WHERE annotator = $1",
        [ann1],
      ),
    ).toEqual(denied)
    expect(
      await attempt(
        url(),
        'UPDATE annotation_history SET undo_state = undo_state WHERE annotator = $1',
        [ann1],
      ),
    ).toMatchObject({ rowCount: expect.any(Number) })
    expect(
      await sqlAs(
        team.dbUrl,
        'SELECT COUNT(*)::int AS n FROM annotation_history WHERE id >= 1000000',
      ),
    ).toEqual([{ n: 0 }])
  })

  it("cannot write rows of an assigned text under another project's id, nor another project's label", async () => {
    const [q] = await sqlAs<{ id: number }>(
      team.dbUrl,
      "INSERT INTO labels (project_id, name, position, color) VALUES ($1, 'angina 心绞痛', 0, '#888') RETURNING id",
      [ids.Q],
    )
    // ann1 is assigned t1 in project P; every write naming project Q is refused.
    expect(
      await attempt(
        url(),
        `INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at)
         VALUES ($1, $2, $3, '[]', 'local', 'now')`,
        [ids.t1, ids.Q, ann1],
      ),
    ).toEqual(denied)
    expect(
      await attempt(
        url(),
        `INSERT INTO annotation_history (project_id, text_id, action, before_label_ids, after_label_ids, annotator, created_at)
         VALUES ($1, $2, 'set', 'null', '[]', $3, 'now')`,
        [ids.Q, ids.t1, ann1],
      ),
    ).toEqual(denied)
    expect(
      await attempt(
        url(),
        `INSERT INTO label_reviews (text_id, project_id, revision, decision, actor, at)
         VALUES ($1, $2, 0, 'keep', $3, 'now')`,
        [ids.t1, ids.Q, ann1],
      ),
    ).toEqual(denied)
    expect(
      await attempt(url(), 'INSERT INTO annotation_labels (text_id, label_id) VALUES ($1, $2)', [
        ids.t1,
        q!.id,
      ]),
    ).toEqual(denied)
    expect(
      await sqlAs(
        team.dbUrl,
        `SELECT (SELECT COUNT(*) FROM annotator_labels WHERE project_id = $1)::int AS al,
                (SELECT COUNT(*) FROM annotation_history WHERE project_id = $1)::int AS h,
                (SELECT COUNT(*) FROM label_reviews WHERE project_id = $1)::int AS r,
                (SELECT COUNT(*) FROM annotation_labels WHERE label_id = $2)::int AS gold`,
        [ids.Q, q!.id],
      ),
    ).toEqual([{ al: 0, h: 0, r: 0, gold: 0 }])
  })

  it("leaves an adjudicated text's gold labels and others' reviews alone, yet still labels it", async () => {
    // t2 was adjudicated to [lb] by the lead (above); ann1 and ann2 are both assigned it.
    const gold = () =>
      sqlAs(team.dbUrl, 'SELECT label_id FROM annotation_labels WHERE text_id = $1', [ids.t2])
    expect(await gold()).toEqual([{ label_id: ids.lb }])
    expect(
      await attempt(url(), 'DELETE FROM annotation_labels WHERE text_id = $1', [ids.t2]),
    ).toEqual(none)
    expect(
      await attempt(url(), 'INSERT INTO annotation_labels (text_id, label_id) VALUES ($1, $2)', [
        ids.t2,
        ids.la,
      ]),
    ).toEqual(denied)
    expect(
      await attempt(url(), 'UPDATE annotation_labels SET label_id = $1 WHERE text_id = $2', [
        ids.la,
        ids.t2,
      ]),
    ).toEqual(denied)
    expect(
      await attempt(url(), 'UPDATE annotations SET annotator = $1 WHERE text_id = $2', [
        ann2,
        ids.t2,
      ]),
    ).toEqual(denied)
    expect(await gold()).toEqual([{ label_id: ids.lb }])
    // ann1's review of t2 (above): ann2 may neither delete it nor write it under another name.
    const ann2Url = team.members.ann2!.url
    expect(await attempt(ann2Url, 'DELETE FROM label_reviews')).toEqual(denied)
    expect(
      await attempt(ann2Url, 'UPDATE label_reviews SET decision = $1 WHERE text_id = $2', [
        'relabel',
        ids.t2,
      ]),
    ).toEqual(denied)
    expect(
      await sqlAs(team.dbUrl, 'SELECT actor, decision FROM label_reviews WHERE text_id = $1', [
        ids.t2,
      ]),
    ).toEqual([{ actor: ann1, decision: 'keep' }])
    // An annotator's own label on the adjudicated text is still recorded; the gold stays.
    const db = await openPgDatabase(ann2Url, { max: 1 })
    try {
      const repos = pgRepositories(db, '/nonexistent-home')
      expect(
        await repos.annotations.set({
          projectId: ids.P,
          textId: ids.t2,
          labelIds: [ids.la],
          annotator: ann2,
        }),
      ).toMatchObject({ textId: ids.t2, labelIds: [ids.la] })
    } finally {
      await db.close()
    }
    expect(await gold()).toEqual([{ label_id: ids.lb }])
  })

  it('cannot create objects in schema public (PostgreSQL 13/14 allowed it to everyone)', async () => {
    expect(await attempt(url(), 'CREATE TABLE public.fa_probe (a INTEGER)')).toEqual(denied)
    expect(
      await attempt(
        url(),
        'CREATE FUNCTION public.cts_is_lead(x INTEGER) RETURNS BOOLEAN LANGUAGE sql AS $$ SELECT true $$',
      ),
    ).toEqual(denied)
  })
})

describe('granting rights', () => {
  it('refuses PUBLIC, none, pg_* and unknown names, in SQL and in member add', async () => {
    const boss = team.members.boss!.url
    for (const name of ['public', 'none', 'pg_monitor', 'no_such_login_fa']) {
      expect({
        name,
        grant: await attempt(boss, "SELECT cts_grant_member($1, 'annotator')", [name]),
        revoke: await attempt(boss, 'SELECT cts_revoke_member($1)', [name]),
      }).toEqual({ name, grant: { sqlState: '22023' }, revoke: { sqlState: '22023' } })
    }
    expect(
      await sqlAs(
        team.dbUrl,
        "SELECT has_table_privilege('public', 'public.annotations', 'SELECT') AS p",
      ),
    ).toEqual([{ p: false }])
    for (const name of ['public', 'none', 'pg_monitor', 'current_user']) {
      expect(() => checkMemberName(name)).toThrow(/cannot be a team member's name/)
    }
    expect(() => checkMemberName('pgx_nurse')).not.toThrow()
  })

  it('records the login that added a member, not the name the caller passed', async () => {
    const name = `fa_nurse_${team.database.slice(5)}`
    cliLogins.push(name)
    await sqlAs(team.adminUrl, `CREATE ROLE ${name} LOGIN`)
    const db = await openPgDatabase(team.members.boss!.url, { max: 1 })
    try {
      await addTeamMember(db, { name, role: 'annotator', by: 'somebody_else' })
    } finally {
      await db.close()
    }
    const boss = team.members.boss!.role
    expect(
      await sqlAs(
        team.dbUrl,
        `SELECT l.actor, m.added_by FROM audit_log l JOIN team_members m ON m.name = $1
          WHERE l.action = 'team.member-add' ORDER BY l.id DESC LIMIT 1`,
        [name],
      ),
    ).toEqual([{ actor: boss, added_by: boss }])
  })
})
