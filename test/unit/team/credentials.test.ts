// The CLI's team passwords: a 0600 file outside the workspace folder (refused when others can read
// it), and libpq's PGPASSFILE / ~/.pgpass read with its own rules.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  checkOutsideFolder,
  credentialsFile,
  FileSecretStore,
  findTeamPassword,
  pgpassPassword,
  readPasswordFile,
  redact,
  secretKey,
} from '../../../main/store/pg/credentials'
import type { TeamTarget } from '../../../main/store/team-binding'

const SENTINEL = 'Sentinel-Pw-9k2z'
const target: TeamTarget = { host: 'db.ward7.example', port: 5432, database: '标注', user: 'dr.li' }
const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cts-team-creds-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('credentialsFile', () => {
  it('is $CTS_TEAM_CREDENTIALS, else the per-user config folder of the platform', () => {
    expect(credentialsFile({ CTS_TEAM_CREDENTIALS: '/x/creds.json' }, 'linux')).toBe(
      '/x/creds.json',
    )
    expect(credentialsFile({ XDG_CONFIG_HOME: '/home/li/.cfg' }, 'linux')).toBe(
      '/home/li/.cfg/clinical-text-studio/team-credentials.json',
    )
    expect(credentialsFile({ APPDATA: '/appdata' }, 'win32')).toBe(
      join('/appdata', 'clinical-text-studio', 'team-credentials.json'),
    )
  })

  it('is refused inside the workspace folder', () => {
    expect(() => checkOutsideFolder('/ws/team/creds.json', '/ws/team')).toThrow(
      /is inside the workspace folder \/ws\/team; passwords must never be kept there/,
    )
    expect(() => checkOutsideFolder('/home/li/.config/c.json', '/ws/team')).not.toThrow()
  })
})

describe('FileSecretStore', () => {
  it('writes the password into a file only its owner can read', async () => {
    const file = join(tempDir(), 'cfg', 'team-credentials.json')
    const store = new FileSecretStore(file)
    await store.set(secretKey(target), SENTINEL)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700)
    expect(await store.get('dr.li@db.ward7.example:5432/标注')).toBe(SENTINEL)
    expect(await findTeamPassword(target, store, { PGPASSFILE: join(file, '..', 'none') })).toEqual(
      {
        password: SENTINEL,
        from: 'credentials-file',
      },
    )
    expect(await store.delete(secretKey(target))).toBe(true)
    expect(await store.get(secretKey(target))).toBeUndefined()
    expect(readFileSync(file, 'utf8')).not.toContain(SENTINEL)
  })

  it('refuses a credentials file others can read, saying how to fix it', async () => {
    const file = join(tempDir(), 'team-credentials.json')
    writeFileSync(file, JSON.stringify({ version: 1, passwords: { k: SENTINEL } }))
    chmodSync(file, 0o644)
    let message = ''
    try {
      await new FileSecretStore(file).get('k')
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toBe(
      `${file} holds database passwords but other users of this computer can read it (mode 0644); it was not used. Make it yours alone: chmod 600 ${file}`,
    )
  })

  it('refuses a file it did not write, without quoting it', async () => {
    const file = join(tempDir(), 'team-credentials.json')
    writeFileSync(file, SENTINEL, { mode: 0o600 })
    await expect(new FileSecretStore(file).get('k')).rejects.toThrow(
      /is not a credentials file this program wrote/,
    )
  })
})

describe('pgpass', () => {
  const pgpass = (text: string, mode = 0o600) => {
    const file = join(tempDir(), 'pgpass')
    writeFileSync(file, text, { mode })
    chmodSync(file, mode)
    return file
  }

  it('takes the first matching line, with * and libpq escapes', async () => {
    const file = pgpass(
      [
        '# team servers',
        'other.example:5432:*:dr.li:wrong',
        `db.ward7.example:*:标注:dr.li:pa\\:ss\\\\${SENTINEL}`,
        '*:*:*:*:fallback',
      ].join('\n'),
    )
    expect(pgpassPassword(target, { PGPASSFILE: file }, 'linux')).toBe(`pa:ss\\${SENTINEL}`)
    expect(pgpassPassword({ ...target, user: 'nurse.chen' }, { PGPASSFILE: file }, 'linux')).toBe(
      'fallback',
    )
    expect(
      await findTeamPassword(target, new FileSecretStore(join(file, '..', 'none.json')), {
        PGPASSFILE: file,
      }),
    ).toEqual({ password: `pa:ss\\${SENTINEL}`, from: 'pgpass' })
  })

  it('finds nothing when no line matches or there is no file', () => {
    const file = pgpass('other.example:5432:*:*:x\n')
    expect(pgpassPassword(target, { PGPASSFILE: file }, 'linux')).toBeUndefined()
    expect(pgpassPassword(target, { PGPASSFILE: join(file, '..', 'missing') }, 'linux')).toBe(
      undefined,
    )
  })

  it('refuses a pgpass file others can read', () => {
    const file = pgpass('*:*:*:*:x\n', 0o640)
    expect(() => pgpassPassword(target, { PGPASSFILE: file }, 'linux')).toThrow(
      /other users of this computer can read it \(mode 0640\); it was not used\. Make it yours alone: chmod 600/,
    )
  })
})

describe('readPasswordFile and redact', () => {
  it('drops one trailing newline and refuses an empty file or a folder', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'pw'), `${SENTINEL}\n`)
    writeFileSync(join(dir, 'empty'), '')
    expect(readPasswordFile(join(dir, 'pw'))).toBe(SENTINEL)
    expect(() => readPasswordFile(join(dir, 'empty'))).toThrow(
      /--password-file: the password file .* is empty/,
    )
    expect(() => readPasswordFile(dir)).toThrow(/--password-file: .* is not a regular file/)
    expect(() => readPasswordFile(join(dir, 'nope'))).toThrow(/was not found/)
  })

  it('masks every occurrence of the password', () => {
    expect(redact(`a ${SENTINEL} b ${SENTINEL}`, SENTINEL)).toBe('a ••• b •••')
    expect(redact('nothing', undefined)).toBe('nothing')
  })
})
