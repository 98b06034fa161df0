// The app's team passwords: sealed with safeStorage (a fake keychain here) in a 0600 file, never in
// plain text; refused when the computer has no keychain.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  SafeStorageSecretStore,
  type SafeStorageLike,
} from '../../../main/app/safe-storage-secrets'

const SENTINEL = 'Sentinel-Pw-s4feSt0re'
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A keychain stand-in: reversible, but never the plain text. */
const fakeSafe = (available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  encryptString: (s) => Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ 0x5a)),
  decryptString: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
})

describe('SafeStorageSecretStore', () => {
  it('seals the password with the keychain in a file only its owner can read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cts-safe-'))
    dirs.push(dir)
    const file = join(dir, 'user-data', 'team-secrets.json')
    const store = new SafeStorageSecretStore(fakeSafe(), file)
    await store.set('dr.li@db:5432/标注', SENTINEL)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).not.toContain(SENTINEL)
    expect(await store.get('dr.li@db:5432/标注')).toBe(SENTINEL)
    expect(await store.get('other')).toBeUndefined()
    expect(await store.delete('dr.li@db:5432/标注')).toBe(true)
    expect(await store.delete('dr.li@db:5432/标注')).toBe(false)
    expect(store.where).toBe('the system keychain')
  })

  it('refuses to keep a password when the computer has no keychain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cts-safe-'))
    dirs.push(dir)
    const file = join(dir, 'team-secrets.json')
    const store = new SafeStorageSecretStore(fakeSafe(false), file)
    await expect(store.set('k', SENTINEL)).rejects.toThrow(
      /no system keychain the app can use, so the password cannot be kept safely/,
    )
    expect(existsSync(file)).toBe(false)
  })
})
