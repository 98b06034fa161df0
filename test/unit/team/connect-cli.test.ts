// `cts workspace connect|status|disconnect` against a real PostgreSQL server: the folder holds the
// address only, the password sits in a 0600 file outside it, two folders bound to one server see
// the same projects and labels, and the password never appears in any output, file or audit entry.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ctsInProcess, type CtsOutcome } from '../cli/cts-in-process'
import { startTeamServer, type TeamServer } from './team-server'

// Characters a URL must escape, so the password's trip through the driver is tested too.
const SENTINEL = "Sentinel-Pw-c4Rd10:@%41/'ü"
const WRONG = 'Wrong-Sentinel-77xq'

let server: TeamServer
let root: string
let credFile: string
let user = ''
let database = ''
let url = ''
const outputs: string[] = []
const savedEnv = { creds: process.env.CTS_TEAM_CREDENTIALS, pgpass: process.env.PGPASSFILE }

const folder = (name: string) => join(root, name)
async function cts(home: string, args: string[]): Promise<CtsOutcome> {
  const outcome = await ctsInProcess(home, args)
  outputs.push(outcome.stdout, outcome.stderr)
  return outcome
}

/** Every file under `dir`, with its text. */
function filesUnder(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name)
      return [path, readFileSync(path).toString('latin1')]
    })
}

beforeAll(async () => {
  server = await startTeamServer()
  ;({ user, database } = await server.newTeamDatabase(SENTINEL))
  url = `postgres://${user}@127.0.0.1:${server.port}/${database}`
  root = mkdtempSync(join(tmpdir(), 'cts-team-cli-'))
  mkdirSync(join(root, 'config'), { mode: 0o700 })
  credFile = join(root, 'config', 'team-credentials.json')
  process.env.CTS_TEAM_CREDENTIALS = credFile
  process.env.PGPASSFILE = join(root, 'config', 'no-pgpass')
  writeFileSync(join(root, 'config', 'pw'), `${SENTINEL}\n`, { mode: 0o600 })
  writeFileSync(
    join(root, 'notes.csv'),
    'id,text,label\nn1,患者胸痛三天，伴出汗。,疾病\nn2,Routine check-up; no complaints.,健康\nn3,Chest pain on exertion.,疾病\n',
  )
})

afterAll(async () => {
  process.env.CTS_TEAM_CREDENTIALS = savedEnv.creds
  process.env.PGPASSFILE = savedEnv.pgpass
  if (savedEnv.creds === undefined) delete process.env.CTS_TEAM_CREDENTIALS
  if (savedEnv.pgpass === undefined) delete process.env.PGPASSFILE
  await server?.stop()
  if (root) rmSync(root, { recursive: true, force: true })
})

describe('cts workspace connect', () => {
  it('binds the folder, keeps the password in a 0600 file outside it, and says where', async () => {
    const a = folder('a')
    const withPassword = url.replace(`${user}@`, `${user}:${encodeURIComponent(SENTINEL)}@`)
    const connected = await cts(a, ['workspace', 'connect', withPassword])
    expect(connected.stderr).toBe(
      `This workspace is a team workspace on 127.0.0.1:${server.port}; Clinical Text Studio connects only to it.\n`,
    )
    expect(connected.code).toBe(0)
    expect(connected.stdout).toBe(
      `${a} is now a team workspace on 127.0.0.1:${server.port}/${database} as ${user} (0 projects).\n` +
        `The password is stored in ${credFile} (readable only by you), not in the workspace folder.\n`,
    )
    expect(statSync(credFile).mode & 0o777).toBe(0o600)
    expect(readFileSync(credFile, 'utf8')).toContain(JSON.stringify(SENTINEL))
    expect(JSON.parse(readFileSync(join(a, 'team.json'), 'utf8')).url).toBe(url)
    for (const [path, text] of filesUnder(a)) {
      expect(text, path).not.toContain(SENTINEL)
      expect(text, path).not.toContain(encodeURIComponent(SENTINEL))
    }

    const status = await cts(a, ['workspace', 'status'])
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(
      new RegExp(
        `^${a}: team workspace on 127\\.0\\.0\\.1:${server.port}/${database} as ${user} \\(connected \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; password stored in ${credFile}\\)\\n$`,
      ),
    )
    const json = JSON.parse((await cts(a, ['workspace', 'status', '--json'])).stdout)
    expect(json).toMatchObject({
      home: a,
      encrypted: false,
      team: { host: '127.0.0.1', port: server.port, database, user },
    })
  })

  it('lets a second folder on the same server see the projects and labels the first made', async () => {
    const a = folder('a')
    const b = folder('b')
    const connected = await cts(b, [
      'workspace',
      'connect',
      url,
      '--password-file',
      join(root, 'config', 'pw'),
    ])
    expect(connected.code).toBe(0)
    expect(connected.stdout).toContain('(0 projects)')

    expect((await cts(a, ['project', 'create', '心内 Cardio', '--kind', 'binary'])).code).toBe(0)
    const imported = await cts(a, [
      'import',
      join(root, 'notes.csv'),
      '--project',
      '心内 Cardio',
      '--label-col',
      'label',
    ])
    expect(imported.stderr).not.toMatch(/Error/)
    expect(imported.code).toBe(0)

    const listed = await cts(b, ['project', 'list', '--json'])
    expect(listed.code).toBe(0)
    const projects = JSON.parse(listed.stdout) as {
      name: string
      textCount: number
      labelledCount: number
    }[]
    expect(projects.map((p) => [p.name, p.textCount, p.labelledCount])).toEqual([
      ['心内 Cardio', 3, 3],
    ])
    const out = join(root, 'from-b.csv')
    expect((await cts(b, ['export', '--project', '心内 Cardio', '--out', out])).code).toBe(0)
    const csv = readFileSync(out, 'utf8')
    expect(csv).toContain('患者胸痛三天，伴出汗。')
    expect(csv).toContain('健康')
    expect(csv.match(/疾病/g)?.length).toBe(2)
  })

  it('records each connection in the team audit log, without the password', async () => {
    const listed = await cts(folder('b'), [
      'audit',
      'list',
      '--action',
      'workspace.connect',
      '--json',
    ])
    expect(listed.code).toBe(0)
    const { entries } = JSON.parse(listed.stdout) as {
      entries: { action: string; details: Record<string, unknown> }[]
    }
    expect(entries.map((e) => e.details)).toEqual([
      { host: '127.0.0.1', port: server.port, database, user },
      { host: '127.0.0.1', port: server.port, database, user },
    ])
  })

  it('refuses a wrong password and says the login was refused', async () => {
    const c = folder('c')
    const wrong = await cts(c, [
      'workspace',
      'connect',
      url.replace(`${user}@`, `${user}:${WRONG}@`),
    ])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain(
      `refused the login as "${user}": the password was not accepted. Check the user name and password with the server's administrator.`,
    )
    expect(wrong.stderr).not.toContain(WRONG)
    expect(() => statSync(join(c, 'team.json'))).toThrow()
  })

  it('refuses a database that holds something else', async () => {
    const other = await server.newTeamDatabase(SENTINEL)
    await server.admin(
      `CREATE TABLE billing (id int); ALTER TABLE billing OWNER TO ${other.user}`,
      other.database,
    )
    const refused = await cts(folder('d'), [
      'workspace',
      'connect',
      `postgres://${other.user}:${encodeURIComponent(SENTINEL)}@127.0.0.1:${server.port}/${other.database}`,
    ])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toBe(
      `Error: The database 127.0.0.1:${server.port}/${other.database} as ${other.user} already holds 1 other table(s): it is not a Clinical Text Studio team workspace. Ask the server's administrator for an empty database.\n`,
    )
  })

  it("refuses a folder whose local workspace has projects: a clinician's labels are never hidden", async () => {
    const e = folder('e')
    expect((await cts(e, ['project', 'create', 'Local 本地', '--kind', 'binary'])).code).toBe(0)
    const refused = await cts(e, [
      'workspace',
      'connect',
      url,
      '--password-file',
      join(root, 'config', 'pw'),
    ])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toBe(
      `Error: ${e} already holds a local workspace with 1 project; connecting would hide them. Choose an empty folder for the team workspace.\n`,
    )
    expect(() => statSync(join(e, 'team.json'))).toThrow()
  })

  it('refuses to open a folder whose server is no longer the one it was bound to', async () => {
    const b = folder('b')
    const file = join(b, 'team.json')
    const bound = readFileSync(file, 'utf8')
    const binding = JSON.parse(bound) as { serverFingerprint?: string }
    expect(binding.serverFingerprint).toMatch(new RegExp(`^\\d+/${database}$`))
    writeFileSync(file, JSON.stringify({ ...binding, serverFingerprint: `1/${database}` }))
    const refused = await cts(b, ['project', 'list'])
    writeFileSync(file, bound)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toBe(
      `Error: The server at 127.0.0.1:${server.port}/${database} as ${user} is not the one this folder was bound to (its identity changed). If the team workspace moved, run \`cts workspace disconnect\` and connect again.\n`,
    )
    expect((await cts(b, ['project', 'list'])).code).toBe(0)
  })

  it('refuses a credentials file others can read before it touches the server', async () => {
    const f = folder('f')
    chmodSync(credFile, 0o644)
    const refused = await cts(f, [
      'workspace',
      'connect',
      url,
      '--password-file',
      join(root, 'config', 'pw'),
    ])
    chmodSync(credFile, 0o600)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toBe(
      `Error: ${credFile} holds database passwords but other users of this computer can read it (mode 0644); it was not used. Make it yours alone: chmod 600 ${credFile}\n`,
    )
    expect(() => statSync(join(f, 'team.json'))).toThrow()
  })

  it('says encryption does not apply to a team workspace', async () => {
    const pass = join(root, 'config', 'passphrase')
    writeFileSync(pass, 'a long passphrase 很长的口令')
    const refused = await cts(folder('a'), ['--passphrase-file', pass, 'workspace', 'encrypt'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(
      /is connected to a team workspace on a server: encryption applies to a local workspace only/,
    )
  })

  it('disconnects the folder and leaves the data on the server', async () => {
    const a = folder('a')
    const gone = await cts(a, ['workspace', 'disconnect'])
    expect(gone.code).toBe(0)
    expect(gone.stdout).toBe(
      `${a} is no longer connected to 127.0.0.1:${server.port}/${database} as ${user}; the team workspace's data on the server is unchanged.\n`,
    )
    expect((await cts(a, ['workspace', 'status'])).stdout).toBe(`${a}: not encrypted\n`)
    expect((await cts(a, ['workspace', 'disconnect'])).stderr).toBe(
      `Error: ${a} is not connected to a team workspace.\n`,
    )
    // Connecting again takes the stored password and finds the team's project.
    const again = await cts(a, ['workspace', 'connect', url])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('(1 project)')
  })

  it('never printed the password, anywhere', () => {
    expect(outputs.length).toBeGreaterThan(20)
    for (const text of outputs) {
      expect(text).not.toContain(SENTINEL)
      expect(text).not.toContain(encodeURIComponent(SENTINEL))
    }
  })
})
