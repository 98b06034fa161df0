// The team binding (<home>/team.json): the server's address without a password, parsed strictly,
// and refused when a password found its way into the folder.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  describeTarget,
  parseTeamUrl,
  readTeamBinding,
  removeTeamBinding,
  TEAM_FILE,
  writeTeamBinding,
} from '../../../main/store/team-binding'

const SENTINEL = 'Sentinel-Pw-7f3q'
const homes: string[] = []
const tempHome = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cts-team-binding-'))
  homes.push(dir)
  return dir
}
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true })
})

describe('parseTeamUrl', () => {
  it('splits the password off and keeps the address without it', () => {
    const p = parseTeamUrl(
      `postgres://dr.wang:${SENTINEL}@db.hospital.example:6543/labels?sslmode=verify-full`,
    )
    expect(p.password).toBe(SENTINEL)
    expect(p.url).toBe('postgres://dr.wang@db.hospital.example:6543/labels?sslmode=verify-full')
    expect(p.target).toEqual({
      host: 'db.hospital.example',
      port: 6543,
      database: 'labels',
      user: 'dr.wang',
    })
    expect(describeTarget(p.target)).toBe('db.hospital.example:6543/labels as dr.wang')
  })

  it('takes postgresql://, the default port, percent-encoding and IPv6 hosts', () => {
    const p = parseTeamUrl('postgresql://%E7%8E%8B%E5%8C%BB%E7%94%9F@[::1]/%E6%A0%87%E6%B3%A8')
    expect(p.target).toEqual({ host: '::1', port: 5432, database: '标注', user: '王医生' })
    expect(p.password).toBeUndefined()
    expect(p.url).toBe('postgres://%E7%8E%8B%E5%8C%BB%E7%94%9F@[::1]:5432/%E6%A0%87%E6%B3%A8')
  })

  it.each([
    ['not a url', /is not a URL: write it as postgres:\/\/user@host:5432\/database/],
    ['mysql://u@h/db', /must start with postgres:\/\/ \(got "mysql:\/\/"\)/],
    ['postgres://h:5432/db', /needs a user name/],
    ['postgres://u@h:5432/', /needs a database name/],
    ['postgres://u@h/db?password=x', /not as \?password=/],
    ['postgres://u@h/db?sslmod=require', /an option this program does not use: "sslmod"/],
  ])('refuses %s with a message that says how to write it', (raw, message) => {
    expect(() => parseTeamUrl(raw)).toThrow(message)
  })

  it('never echoes a password in its errors', () => {
    for (const raw of [
      `mysql://u:${SENTINEL}@h/db`,
      `postgres://u:${SENTINEL}@h/`,
      `postgres://u:${SENTINEL}@h/db?x=1`,
    ]) {
      let message = ''
      try {
        parseTeamUrl(raw)
      } catch (err) {
        message = (err as Error).message
      }
      expect(message).not.toBe('')
      expect(message).not.toContain(SENTINEL)
    }
  })
})

describe('team.json', () => {
  it('round-trips the binding and holds no password', () => {
    const home = tempHome()
    const { url } = parseTeamUrl(`postgres://lead:${SENTINEL}@10.0.0.5:5432/ward7`)
    writeTeamBinding(home, {
      url,
      boundAt: '2026-12-06T22:00:00.000Z',
      serverFingerprint: 'x/ward7',
    })
    expect(readFileSync(join(home, TEAM_FILE), 'utf8')).not.toContain(SENTINEL)
    expect(readTeamBinding(home)).toEqual({
      url: 'postgres://lead@10.0.0.5:5432/ward7',
      boundAt: '2026-12-06T22:00:00.000Z',
      serverFingerprint: 'x/ward7',
    })
    expect(removeTeamBinding(home)).toBe(true)
    expect(readTeamBinding(home)).toBeUndefined()
    expect(removeTeamBinding(home)).toBe(false)
  })

  it('refuses to write a URL that still carries a password', () => {
    const home = tempHome()
    expect(() =>
      writeTeamBinding(home, { url: `postgres://u:${SENTINEL}@h/db`, boundAt: 'now' }),
    ).toThrow('A team binding must not hold a password.')
  })

  it('refuses a hand-edited team.json with a password, without repeating it', () => {
    const home = tempHome()
    writeFileSync(
      join(home, TEAM_FILE),
      JSON.stringify({ url: `postgres://u:${SENTINEL}@h/db`, boundAt: 'now' }),
    )
    let message = ''
    try {
      readTeamBinding(home)
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toMatch(/holds a password: remove the file, run `cts workspace connect` again/)
    expect(message).not.toContain(SENTINEL)
  })

  it('names the file and the way out when team.json is damaged', () => {
    const home = tempHome()
    writeFileSync(join(home, TEAM_FILE), '{"url": 1}')
    expect(() => readTeamBinding(home)).toThrow(
      /does not name a server \(it needs "url" and "boundAt"\): run `cts workspace disconnect`/,
    )
  })
})
