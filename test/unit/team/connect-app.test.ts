// "Connect to a team workspace" in the app, end to end below the window: the renderer's call goes
// through main's IPC adapter to the real backend process, which connects to PostgreSQL and hands
// the password to main's secret store (safeStorage in Electron; a map here) — never to a file.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SecretStore } from '../../../main/shared/secret-store'
import { startHarness, valueOf } from '../app/backend-harness'
import { startTeamServer, type TeamServer } from './team-server'

const SENTINEL = 'Sentinel-Pw-4ppR3l4y'

class MapSecrets implements SecretStore {
  readonly where = 'the test keychain'
  readonly map = new Map<string, string>()
  get = async (key: string) => this.map.get(key)
  set = async (key: string, secret: string) => void this.map.set(key, secret)
  delete = async (key: string) => this.map.delete(key)
}

let server: TeamServer
let user = ''
let database = ''

beforeAll(async () => {
  server = await startTeamServer()
  ;({ user, database } = await server.newTeamDatabase(SENTINEL))
})
afterAll(async () => {
  await server?.stop()
})

describe('the app connects to a team workspace', () => {
  it("keeps the password in main's store and reopens the team workspace with it", async () => {
    const secrets = new MapSecrets()
    const harness = await startHarness({ secrets })
    try {
      const url = `postgres://${user}@127.0.0.1:${server.port}/${database}`
      const status = valueOf(await harness.invoke('workspace/connect', { url, password: SENTINEL }))
      expect(status).toEqual({
        encrypted: false,
        locked: false,
        team: {
          host: '127.0.0.1',
          port: server.port,
          database,
          user,
          // #17 point 5: the server answers right now.
          connection: { state: 'connected', since: expect.any(String) },
        },
      })
      expect([...secrets.map]).toEqual([[`${user}@127.0.0.1:${server.port}/${database}`, SENTINEL]])
      valueOf(await harness.invoke('projects/create', { name: '团队 Team', kind: 'binary' }))
      // Nothing in the workspace folder holds the password.
      for (const e of readdirSync(harness.home, { recursive: true, withFileTypes: true })) {
        if (!e.isFile()) continue
        expect(readFileSync(join(e.parentPath, e.name)).toString('latin1')).not.toContain(SENTINEL)
      }
      expect(existsSync(join(harness.home, 'team.json'))).toBe(true)
      // A new backend process (after a crash) opens the team workspace, asking main for the password.
      secrets.map.set('unused@elsewhere:1/x', 'not this one')
      harness.processes[0]!.kill()
      const listed = await (async () => {
        for (;;) {
          const reply = await harness.invoke('projects/list', {})
          if (reply.ok || reply.error.code !== 'backend-stopped') return reply
        }
      })()
      expect(valueOf<{ name: string }[]>(listed).map((p) => p.name)).toEqual(['团队 Team'])
      expect(harness.processes).toHaveLength(2)
    } finally {
      await harness.close()
    }
  })
})
