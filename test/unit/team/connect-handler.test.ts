// The app's "Connect to a team workspace": 'workspace/connect' through the app's backend
// (lockableBoot) binds the folder, keeps the password in the app's secret store (the keychain in
// Electron; a map here) and goes on with the team workspace; refusals leave the local one open.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallEnvelope } from '../../../preload/contract'
import { boot } from '../../../main/root/boot'
import { lockableBoot } from '../../../main/root/lockable-boot'
import type { SecretStore } from '../../../main/shared/secret-store'
import { startTeamServer, type TeamServer } from './team-server'

const SENTINEL = 'Sentinel-Pw-h4nd1er'

class MapSecrets implements SecretStore {
  readonly where = 'the test keychain'
  readonly map = new Map<string, string>()
  get = async (key: string) => this.map.get(key)
  set = async (key: string, secret: string) => void this.map.set(key, secret)
  delete = async (key: string) => this.map.delete(key)
}

let server: TeamServer
let root: string
let url = ''
let target = { host: '127.0.0.1', port: 0, database: '', user: '' }
const savedPgpass = process.env.PGPASSFILE

beforeAll(async () => {
  server = await startTeamServer()
  const { user, database } = await server.newTeamDatabase(SENTINEL)
  target = { host: '127.0.0.1', port: server.port, database, user }
  url = `postgres://${user}@127.0.0.1:${server.port}/${database}`
  root = mkdtempSync(join(tmpdir(), 'cts-team-handler-'))
  process.env.PGPASSFILE = join(root, 'no-pgpass')
})
afterAll(async () => {
  if (savedPgpass === undefined) delete process.env.PGPASSFILE
  else process.env.PGPASSFILE = savedPgpass
  await server?.stop()
  if (root) rmSync(root, { recursive: true, force: true })
})

const errorOf = (envelope: CallEnvelope) => (envelope.ok ? undefined : envelope.error)

describe("'workspace/connect'", () => {
  it('binds the folder, stores the password in the secret store and goes on with the team workspace', async () => {
    const home = join(root, 'app')
    const secrets = new MapSecrets()
    const backend = await lockableBoot({ home, actor: 'Dr Wang 王医生', secrets })
    try {
      expect((await backend.dispatch('workspace/status', {})).ok && true).toBe(true)
      const connected = await backend.dispatch('workspace/connect', { url, password: SENTINEL })
      expect(connected).toEqual({
        ok: true,
        value: {
          encrypted: false,
          locked: false,
          // #17 point 5: the server answers right now.
          team: { ...target, connection: { state: 'connected', since: expect.any(String) } },
        },
      })
      expect([...secrets.map]).toEqual([
        [`${target.user}@127.0.0.1:${server.port}/${target.database}`, SENTINEL],
      ])
      expect(statSync(join(home, 'team.json')).isFile()).toBe(true)
      // The backend now works on the server: a project made here is the team's.
      const created = await backend.dispatch('projects/create', {
        name: '心内 Cardio',
        kind: 'binary',
      })
      expect(created.ok).toBe(true)
      // The same server again (a changed password, say) is fine; another one needs a disconnect.
      const again = await backend.dispatch('workspace/connect', { url, password: SENTINEL })
      expect(again.ok).toBe(true)
      const other = `postgres://${target.user}@127.0.0.1:${server.port}/elsewhere`
      expect(
        errorOf(await backend.dispatch('workspace/connect', { url: other, password: SENTINEL })),
      ).toMatchObject({
        code: 'conflict',
        message: `${home} is already connected to 127.0.0.1:${server.port}/${target.database} as ${target.user}: run \`cts workspace disconnect\` first.`,
      })
      expect(
        errorOf(
          await backend.dispatch('workspace/encrypt', {
            passphrase: 'long enough 口令',
            confirm: 'long enough 口令',
          }),
        ),
      ).toEqual({
        code: 'unsupported',
        message:
          'This is a team workspace on a server: encryption applies to a local workspace only (the server protects its data with TLS and its own access rules).',
      })
    } finally {
      await backend.shutdown()
    }
    // Opened again with the same store: the team workspace and its project.
    const reopened = await lockableBoot({ home, secrets })
    try {
      const listed = await reopened.dispatch('projects/list', {})
      expect(listed.ok && (listed.value as { name: string }[]).map((p) => p.name)).toEqual([
        '心内 Cardio',
      ])
    } finally {
      await reopened.shutdown()
    }
  })

  it('refuses a wrong password and keeps the local workspace open, saying nothing of the password', async () => {
    const home = join(root, 'wrong')
    const secrets = new MapSecrets()
    const backend = await lockableBoot({ home, secrets })
    try {
      const refused = await backend.dispatch('workspace/connect', {
        url,
        password: 'Wrong-Sentinel-1',
      })
      expect(errorOf(refused)).toMatchObject({ code: 'team-auth' })
      expect(JSON.stringify(refused)).not.toContain('Wrong-Sentinel-1')
      expect(secrets.map.size).toBe(0)
      expect(await backend.dispatch('workspace/status', {})).toEqual({
        ok: true,
        value: { encrypted: false, locked: false },
      })
      expect((await backend.dispatch('projects/list', {})).ok).toBe(true)
    } finally {
      await backend.shutdown()
    }
  })

  it('refuses a folder whose local workspace has projects', async () => {
    const home = join(root, 'local')
    const backend = await lockableBoot({ home, secrets: new MapSecrets() })
    try {
      await backend.dispatch('projects/create', { name: 'Local 本地', kind: 'binary' })
      const refused = await backend.dispatch('workspace/connect', { url, password: SENTINEL })
      expect(errorOf(refused)).toMatchObject({
        code: 'conflict',
        message: `${home} already holds a local workspace with 1 project; connecting would hide them. Choose an empty folder for the team workspace.`,
      })
    } finally {
      await backend.shutdown()
    }
  })

  it('checks its arguments, and a plain boot() cannot swap its own workspace', async () => {
    const home = join(root, 'plain')
    const backend = await boot({ home })
    try {
      expect(
        errorOf(
          await backend.dispatch('workspace/connect', { url: 'mysql://u@h/db', password: '' }),
        ),
      ).toMatchObject({ code: 'bad-input' })
      expect(
        errorOf(await backend.dispatch('workspace/connect', { url, password: SENTINEL })),
      ).toMatchObject({
        code: 'unsupported',
        message:
          'This workspace cannot be connected to a server while it is open here: close the other programs using it and run `cts workspace connect postgres://user@host:5432/database`.',
      })
    } finally {
      await backend.shutdown()
    }
  })
})
